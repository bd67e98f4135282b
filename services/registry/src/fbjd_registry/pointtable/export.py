"""Writing the point table (see `layout`) from an enterprise's topology."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from fbjd_registry.facilities.schemas import FacilityOut
from fbjd_registry.points.schemas import PointOut
from fbjd_registry.pointtable import layout
from fbjd_registry.topology.schemas import TopologyOut
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["export_workbook"]

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WIDTHS = (6, 22, 30, 14, 24, 34, 14)


@dataclass
class _Block:
    """One numbered block of the main sheet: a production facility (or none) and what is beside it."""

    production: str
    production_points: list[PointOut]
    treatments: list[tuple[str, list[PointOut]]] = field(default_factory=list)

    @property
    def height(self) -> int:
        right = sum(max(1, len(points)) for _, points in self.treatments)
        return max(1, len(self.production_points), right)


def _blocks(topology: TopologyOut) -> list[_Block]:
    facilities = {f.id: f for f in topology.facilities}
    points_of: dict[uuid.UUID | None, list[PointOut]] = {}
    for point in topology.points:
        points_of.setdefault(point.facility_id, []).append(point)
    treatments_of: dict[uuid.UUID, list[FacilityOut]] = {}
    served: set[uuid.UUID] = set()
    for link in topology.links:
        if link.treatment_facility_id in facilities:
            treatments_of.setdefault(link.production_facility_id, []).append(facilities[link.treatment_facility_id])
            served.add(link.treatment_facility_id)
    blocks = []
    for f in topology.facilities:
        if f.kind is FacilityKind.PRODUCTION:
            treatments = sorted(treatments_of.get(f.id, []), key=lambda t: t.id)
            blocks.append(
                _Block(f.name, points_of.get(f.id, []), [(t.name, points_of.get(t.id, [])) for t in treatments])
            )
    for f in topology.facilities:
        if f.kind is FacilityKind.TREATMENT and f.id not in served:
            blocks.append(_Block("", [], [(f.name, points_of.get(f.id, []))]))
    lines = [p for p in topology.points if p.role is PointRole.TOTAL_LINE]
    if lines:
        blocks.append(_Block(layout.TOTAL_LINE_LABEL, lines))
    return blocks


def _merge(ws: Worksheet, column: int, first: int, last: int, value: object) -> None:
    ws.cell(row=first, column=column, value=value)
    if last > first:
        ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


def _write_block(ws: Worksheet, block: _Block, number: int, top: int) -> int:
    bottom = top + block.height - 1
    _merge(ws, 1, top, bottom, number)
    _merge(ws, 2, top, bottom, block.production or None)
    if len(block.production_points) == 1:
        (point,) = block.production_points
        _merge(ws, 3, top, bottom, point.name)
        _merge(ws, 4, top, bottom, layout.format_rating(point.rated_kw, point.threshold_kw) or None)
    else:
        for offset, point in enumerate(block.production_points):
            ws.cell(row=top + offset, column=3, value=point.name)
            ws.cell(row=top + offset, column=4, value=layout.format_rating(point.rated_kw, point.threshold_kw) or None)
    row = top
    for name, points in block.treatments:
        span = max(1, len(points))
        _merge(ws, 5, row, row + span - 1, name)
        for offset, point in enumerate(points):
            ws.cell(row=row + offset, column=6, value=point.name)
            ws.cell(row=row + offset, column=7, value=layout.format_rating(point.rated_kw, point.threshold_kw) or None)
        row += span
    return bottom + 1


def _main_sheet(ws: Worksheet, topology: TopologyOut, enterprise_name: str) -> None:
    ws.title = layout.MAIN_SHEET
    ws.cell(row=1, column=1, value=layout.title_of(enterprise_name)).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    for column, header in enumerate(layout.MAIN_HEADERS, start=1):
        ws.cell(row=2, column=column, value=header).font = Font(bold=True)
    row = 3
    for number, block in enumerate(_blocks(topology), start=1):
        row = _write_block(ws, block, number, row)
    production = sum(1 for p in topology.points if p.role in {PointRole.PRODUCTION, PointRole.INTEGRATED})
    treatment = sum(1 for p in topology.points if p.role is PointRole.TREATMENT)
    ws.cell(row=row, column=1, value=layout.TOTALS_LABEL)
    ws.cell(row=row, column=2, value=f"生产设施监测点位 {production} 个")
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
    ws.cell(row=row, column=5, value=f"治污设施监测点位 {treatment} 个")
    ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=7)
    for cells in ws.iter_rows(min_row=2, max_row=row, max_col=7):
        for cell in cells:
            cell.border, cell.alignment = _BORDER, _CENTER
    for column, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + column)].width = width


def _point_sheet(ws: Worksheet, topology: TopologyOut) -> None:
    names = {f.id: f.name for f in topology.facilities}
    ws.append(list(layout.POINT_HEADERS))
    for p in topology.points:
        ws.append(
            [
                p.name,
                names.get(p.facility_id) if p.facility_id is not None else None,
                layout.ROLE_LABELS[p.role],
                p.rated_kw,
                p.threshold_kw,
                None if p.threshold_source is None else layout.SOURCE_LABELS[p.threshold_source],
                p.judgement_minutes,
                p.mn,
                p.factor_code,
                p.standby_group,
            ]
        )


def _facility_sheet(ws: Worksheet, topology: TopologyOut) -> None:
    ws.append(list(layout.FACILITY_HEADERS))
    for f in topology.facilities:
        ws.append([f.name, layout.KIND_LABELS[f.kind], f.process, f.rated_kw, layout.YES_NO[f.needs_treatment]])


def export_workbook(topology: TopologyOut, *, enterprise_name: str) -> bytes:
    workbook = Workbook()
    main = workbook.active
    assert main is not None
    _main_sheet(main, topology, enterprise_name)
    _point_sheet(workbook.create_sheet(layout.POINT_SHEET), topology)
    _facility_sheet(workbook.create_sheet(layout.FACILITY_SHEET), topology)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
