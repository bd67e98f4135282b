"""Reading a point table (see `layout`) into the registry it describes, with every problem found on the way.

Nothing here touches the database: the result is the desired facilities, points and links by name, and the
list of problems, each naming the sheet, the row and the column.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from fbjd_registry.facilities.schemas import FacilityIn
from fbjd_registry.points.schemas import PointIn
from fbjd_registry.points.service import check_point
from fbjd_registry.pointtable import layout
from fbjd_registry.pointtable.details import apply_facility_sheet, apply_point_sheet
from fbjd_registry.pointtable.table import DesiredPoint, ParsedTable, cell_text, grid
from fbjd_registry.validation import label_of, problems_from_errors
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["read_table"]


def _rating(value: object, table: ParsedTable, where: str, column: str) -> tuple[float | None, float | None]:
    if value is None or cell_text(value) == "":
        return None, None
    if isinstance(value, datetime | date):
        table.problem(where, column, "被 Excel 识别成了日期，请把单元格设为文本后写成「额定功率/阈值」，如 75/10")
        return None, None
    text = cell_text(value).replace("／", "/")
    parts = text.split("/")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        rated, threshold = (float(part) if part.strip() else None for part in parts)
    except ValueError:
        table.problem(where, column, f"须写成「额定功率/阈值」（kW），如 75/10，现为 {text!r}")
        return None, None
    return rated, threshold


def _facility(table: ParsedTable, name: str, kind: FacilityKind, where: str, column: str) -> None:
    known = table.facilities.get(name)
    if known is None:
        table.facilities[name] = FacilityIn.model_construct(
            name=name, kind=kind, process=None, rated_kw=None, needs_treatment=True
        )
        table.facility_rows[name] = where
    elif known.kind is not kind:
        table.problem(where, column, f"「{name}」既填作生产设施又填作治污设施（{table.facility_rows[name]}）")


def _point(table: ParsedTable, point: DesiredPoint, column: str) -> None:
    known = table.points.get(point.name)
    if known is None:
        table.points[point.name] = point
    elif (known.facility, known.fields) != (point.facility, point.fields):
        table.problem(point.where, column, f"测点名称「{point.name}」与{known.where}重复，但所属设施或功率不同")


def _row(table: ParsedTable, values: list[object], where: str) -> None:
    b, c, e, f = (cell_text(values[i]) for i in (1, 2, 4, 5))
    headers = layout.MAIN_HEADERS
    if b == layout.TOTAL_LINE_LABEL:
        if c:
            rated, threshold = _rating(values[3], table, where, headers[3])
            fields = {"role": PointRole.TOTAL_LINE, "rated_kw": rated, "threshold_kw": threshold}
            _point(table, DesiredPoint(c, None, fields, where), headers[2])
        return
    if b:
        _facility(table, b, FacilityKind.PRODUCTION, where, headers[1])
    if c:
        rated, threshold = _rating(values[3], table, where, headers[3])
        if not b:
            table.problem(where, headers[2], f"关键监测节点「{c}」没有填写所属生产线/设施名称")
        else:
            fields = {"role": PointRole.PRODUCTION, "rated_kw": rated, "threshold_kw": threshold}
            _point(table, DesiredPoint(c, b, fields, where), headers[2])
    elif cell_text(values[3]):
        table.problem(where, headers[3], "填写了额定功率/阈值，但没有关键监测节点名称")
    if e:
        _facility(table, e, FacilityKind.TREATMENT, where, headers[4])
        if b:
            table.links.add((b, e))
    if f:
        rated, threshold = _rating(values[6], table, where, headers[6])
        if not e:
            table.problem(where, headers[5], f"治污设施关键监测节点「{f}」没有填写所属治污设施名称")
        else:
            fields = {"role": PointRole.TREATMENT, "rated_kw": rated, "threshold_kw": threshold}
            _point(table, DesiredPoint(f, e, fields, where), headers[5])
    elif cell_text(values[6]):
        table.problem(where, headers[6], "填写了额定功率/阈值，但没有治污设施关键监测节点名称")


def _main(ws: Worksheet, table: ParsedTable) -> None:
    rows = grid(ws)
    header_at = next(
        (i for i, row in enumerate(rows[:5]) if tuple(cell_text(v) for v in row[:7]) == layout.MAIN_HEADERS), None
    )
    if header_at is None:
        expected = "、".join(layout.MAIN_HEADERS)
        table.problem(f"{ws.title}第1-5行", "表头", f"找不到表头行，应为：{expected}")
        return
    for index in range(header_at + 1, len(rows)):
        values = (list(rows[index]) + [None] * 7)[:7]
        if cell_text(values[0]) == layout.TOTALS_LABEL or not any(cell_text(v) for v in values):
            continue
        _row(table, values, f"{ws.title}第{index + 1}行")


def _check_facilities(table: ParsedTable) -> None:
    for name, facility in table.facilities.items():
        try:
            FacilityIn.model_validate(facility.model_dump())
        except ValidationError as exc:
            for problem in problems_from_errors(exc.errors(), strip_prefix=()):
                table.problem(table.facility_rows[name], problem.label, f"设施「{name}」：{problem.message}")


def _check_points(table: ParsedTable) -> None:
    """Each point's fields, formats and consistency, as the API would check them."""
    placeholder = {name: uuid.uuid5(uuid.NAMESPACE_URL, name) for name in table.facilities}
    for point in table.points.values():
        facility_id = None if point.facility is None else placeholder.get(point.facility)
        raw = {"name": point.name, "facility_id": facility_id, **point.fields}
        try:
            data = PointIn.model_validate(raw)
        except ValidationError as exc:
            for problem in problems_from_errors(exc.errors(), strip_prefix=()):
                where = point.where_of(problem.field)
                table.problem(where, problem.label, f"测点「{point.name}」：{problem.message}")
            continue
        kind = None if point.facility is None else table.facilities[point.facility].kind
        for problem in check_point(data, kind, facility_found=True):
            where = point.where_of(problem.field)
            table.problem(where, label_of(problem.field), f"测点「{point.name}」：{problem.message}")
    channels: dict[tuple[str, str], str] = {}
    for point in table.points.values():
        mn, code = point.fields.get("mn"), point.fields.get("factor_code")
        if mn and code:
            if (mn, code) in channels:
                message = f"设备 {mn} 的因子 {code} 同时分给了「{channels[(mn, code)]}」和「{point.name}」"
                table.problem(point.where_of("factor_code"), "监测因子编码", message)
            channels[(mn, code)] = point.name


def read_table(data: bytes) -> ParsedTable:
    table = ParsedTable()
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        table.problem("文件", "文件", f"不是有效的 .xlsx 文件：{type(exc).__name__}")
        return table
    main = workbook[layout.MAIN_SHEET] if layout.MAIN_SHEET in workbook.sheetnames else workbook.worksheets[0]
    _main(main, table)
    if layout.POINT_SHEET in workbook.sheetnames:
        apply_point_sheet(workbook[layout.POINT_SHEET], table)
    if layout.FACILITY_SHEET in workbook.sheetnames:
        apply_facility_sheet(workbook[layout.FACILITY_SHEET], table)
    _check_facilities(table)
    _check_points(table)
    return table
