"""The acceptance report as a printable A4 page (one HTML document, no script). Pure functions."""

from __future__ import annotations

from datetime import date
from html import escape

from fbjd_core.time import to_cst

from fbjd_registry.acceptance.report.schemas import AcceptanceReport

__all__ = ["PAGE_CSP", "render_report"]

# The page's own policy: nothing loads, its one inline stylesheet applies.
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "SimSun", "Songti SC", serif; font-size: 12pt; color: #000; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 12pt; }
table { width: 100%; border-collapse: collapse; margin: 6pt 0 12pt; }
th, td { border: 1px solid #000; padding: 4pt 6pt; vertical-align: top; }
th { width: 24%; text-align: left; font-weight: normal; background: #f2f2f2; }
.sign td { height: 48pt; }
.note { font-size: 10pt; color: #333; }
"""


def _v(value: object) -> str:
    if value is None or value == "":
        return "&nbsp;"
    if isinstance(value, date):
        return escape(value.isoformat())
    return escape(str(value))


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"<tr><th>{escape(label)}</th><td>{_v(value)}</td></tr>" for label, value in pairs)


def render_report(report: AcceptanceReport) -> str:
    e, c = report.enterprise, report.counts
    basics = _rows(
        [
            ("企业名称", e.name), ("企业地址", e.address), ("所属县(市、区)", e.county_name),
            ("统一社会信用代码", e.credit_code), ("排污许可证编号", e.permit_no), ("行业类别", e.industry),
            ("企业类别", e.category), ("法定代表人", e.legal_representative),
            ("环保联系人", f"{e.env_contact_name} {e.env_contact_phone}"), ("第三方运维单位", e.operator_name),
            ("建设厂商", report.builder_name), ("采集终端数量(台)", report.devices_count),
            ("安装完成日期", report.installed_on), ("联网日期", report.networked_on), ("申请日期", report.applied_on),
        ]
    )  # fmt: skip
    counts = _rows(
        [
            ("监测点位总数", c.total), ("生产设施监测点位", f"{c.production}（其中产治一体 {c.integrated}）"),
            ("治污设施监测点位", f"{c.treatment}（应急减排监测点位 {c.emergency_reduction}）"),
            ("总进线监测点位", c.total_line),
            ("生产设施 / 治污设施", f"{c.production_facilities} / {c.treatment_facilities} 台（套）"),
        ]
    )  # fmt: skip
    audit = report.platform_audit
    audit_rows = (
        _rows(
            []
            if audit is None
            else [
                ("审核结果", f"{audit.passed_items}/{audit.items} 项通过"),
                ("不通过的项目", "；".join(audit.failed_items) or "无"),
                ("审核意见", audit.opinion),
                ("审核人 / 日期", f"{audit.audited_by} / {to_cst(audit.audited_at).date()}"),
            ]
        )
        or "<tr><td>尚未进行平台审核</td></tr>"
    )
    site = report.site_audit
    site_rows = _rows(
        []
        if site is None
        else [
            ("核查日期", site.audited_on), ("核查人员", "、".join(site.people)), ("核查情况", site.findings),
            ("核查结论", "通过" if site.passed else f"不通过，整改期限 {site.rectification_deadline}"),
        ]
    ) or "<tr><td>尚未进行现场核查</td></tr>"  # fmt: skip
    signatures = "".join(
        f"<tr><th>{escape(s.party)}</th><td>签字：{_v(s.signer)}</td><td>日期：{_v(s.signed_on)}</td></tr>"
        for s in report.signatures
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{escape(report.title)}</h1>"
        f'<p class="note">企业编号 {escape(report.ps_id)} · 申请状态：{escape(report.state_label)} · '
        f"第 {report.round} 次提交 · 生成于 {escape(to_cst(report.generated_at).strftime('%Y-%m-%d %H:%M'))}</p>"
        f"<h2>一、企业基本情况</h2><table>{basics}</table>"
        f"<h2>二、监测点位</h2><table>{counts}</table>"
        f"<h2>三、平台审核</h2><table>{audit_rows}</table>"
        f"<h2>四、现场核查</h2><table>{site_rows}</table>"
        f"<h2>五、验收结论</h2><table><tr><td>{escape(report.conclusion.text)}</td></tr></table>"
        f'<h2>六、签字</h2><table class="sign">{signatures}</table>'
        "</body></html>"
    )
