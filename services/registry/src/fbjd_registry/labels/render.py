"""The printable label sheet: one label per monitoring point, several per A4 page, built from a topology.

Everything printed comes from the registry's topology (the same data the platform shows), and the QR code
encodes the URL of the point's page on the platform, so label and platform cannot disagree. Pure functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape

import segno

from fbjd_registry.facilities.schemas import FacilityOut
from fbjd_registry.points.schemas import PointOut
from fbjd_registry.topology.schemas import TopologyOut
from fbjd_registry.vocabulary import POINT_ROLE_LABELS, PointRole

__all__ = ["Label", "labels_of", "point_url", "qr_svg", "render_sheet"]


@dataclass(frozen=True, slots=True)
class Label:
    point_id: uuid.UUID
    point_name: str
    role: str  # Chinese term of the point's role
    facility: str  # facility name (and its process/line), or 总进线
    linked_heading: str  # 配套治污设施 / 对应生产设施 / "" (none applies)
    linked: list[str]  # "设施（测点、测点）" per linked facility
    mn: str
    factor_code: str
    rated_kw: str
    threshold_kw: str
    url: str


def point_url(public_url: str, point_id: uuid.UUID) -> str:
    return f"{public_url.rstrip('/')}/points/{point_id}"


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (error correction M, as large as a label needs)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=3, title=url))


def _kw(value: float | None) -> str:
    return "未填" if value is None else f"{value:g} kW"


def _facility_text(facility: FacilityOut | None) -> str:
    if facility is None:
        return "总进线（无所属设施）"
    return facility.name if not facility.process else f"{facility.name}（{facility.process}）"


def labels_of(topology: TopologyOut, *, public_url: str) -> list[Label]:
    facilities = {f.id: f for f in topology.facilities}
    points_of: dict[uuid.UUID, list[PointOut]] = {}
    for point in topology.points:
        if point.facility_id is not None:
            points_of.setdefault(point.facility_id, []).append(point)
    treatments_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    productions_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in topology.links:
        treatments_of.setdefault(link.production_facility_id, []).append(link.treatment_facility_id)
        productions_of.setdefault(link.treatment_facility_id, []).append(link.production_facility_id)

    def described(facility_ids: list[uuid.UUID]) -> list[str]:
        lines = []
        for facility_id in sorted(facility_ids, key=lambda i: facilities[i].name if i in facilities else str(i)):
            facility = facilities.get(facility_id)
            if facility is None:
                continue
            names = "、".join(sorted(p.name for p in points_of.get(facility_id, [])))
            lines.append(f"{facility.name}（{names}）" if names else f"{facility.name}（无测点）")
        return lines

    labels = []
    ordered = sorted(
        topology.points,
        key=lambda p: (_facility_text(facilities.get(p.facility_id) if p.facility_id else None), p.name),
    )
    for point in ordered:
        facility = facilities.get(point.facility_id) if point.facility_id is not None else None
        heading, linked = "", []
        if point.role in (PointRole.PRODUCTION, PointRole.INTEGRATED) and point.facility_id is not None:
            heading, linked = "配套治污设施", described(treatments_of.get(point.facility_id, []))
            if not linked:
                linked = ["产治一体，无单独治污设施" if point.role is PointRole.INTEGRATED else "未关联治污设施"]
        elif point.role is PointRole.TREATMENT and point.facility_id is not None:
            heading, linked = "对应生产设施", described(productions_of.get(point.facility_id, []))
            if not linked:
                linked = ["未关联生产设施"]
        labels.append(
            Label(
                point_id=point.id,
                point_name=point.name,
                role=POINT_ROLE_LABELS.get(point.role, point.role.value),
                facility=_facility_text(facility),
                linked_heading=heading,
                linked=linked,
                mn=point.mn or "未登记",
                factor_code=point.factor_code or "未登记",
                rated_kw=_kw(point.rated_kw),
                threshold_kw=_kw(point.threshold_kw),
                url=point_url(public_url, point.id),
            )
        )
    return labels


_CSS = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimHei", sans-serif; margin: 0; color: #000; }
header { margin-bottom: 4mm; }
header h1 { font-size: 14pt; margin: 0; }
header p { font-size: 9pt; margin: 1mm 0 0; }
.sheet { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.label { border: 0.6mm solid #000; padding: 3mm; height: 64mm; display: flex; gap: 3mm;
         break-inside: avoid; page-break-inside: avoid; overflow: hidden; }
.label .text { flex: 1; font-size: 8.5pt; line-height: 1.35; }
.label h2 { font-size: 11pt; margin: 0 0 1.5mm; }
.label dl { margin: 0; display: grid; grid-template-columns: auto 1fr; column-gap: 2mm; }
.label dt { font-weight: bold; white-space: nowrap; }
.label dd { margin: 0; word-break: break-all; }
.label .qr { width: 36mm; text-align: center; }
.label .qr svg { width: 34mm; height: 34mm; }
.label .url { font-size: 6pt; word-break: break-all; }
@media print { header .hint { display: none; } }
"""


def _label_html(label: Label) -> str:
    e = escape
    rows = [
        ("测点类型", e(label.role)),
        ("所属设施", e(label.facility)),
    ]
    if label.linked_heading:
        rows.append((label.linked_heading, "<br>".join(e(line) for line in label.linked)))
    rows += [
        ("设备MN号", e(label.mn)),
        ("监测因子", e(label.factor_code)),
        ("额定功率", e(label.rated_kw)),
        ("启停阈值", e(label.threshold_kw)),
    ]
    body = "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows)
    return (
        f'<section class="label" data-point-id="{label.point_id}">'
        f'<div class="text"><h2>{e(label.point_name)}</h2><dl>{body}</dl></div>'
        f'<div class="qr">{qr_svg(label.url)}<div class="url">{e(label.url)}</div></div>'
        "</section>"
    )


def render_sheet(*, enterprise_name: str, ps_id: str, labels: list[Label], generated_at: str) -> str:
    e = escape
    cards = "\n".join(_label_html(label) for label in labels) or "<p>该企业尚未登记监测点位。</p>"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{e(enterprise_name)} 分表计电监测点位标识牌</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{e(enterprise_name)} 分表计电监测点位标识牌</h1>"
        f"<p>企业编号 {e(ps_id)} · 共 {len(labels)} 个监测点位 · 生成于 {e(generated_at)}（由平台登记数据生成）</p>"
        '<p class="hint">打印：A4 纵向，每页 8 张；扫描二维码打开平台上的点位页面。</p></header>'
        f'<main class="sheet">{cards}</main></body></html>'
    )
