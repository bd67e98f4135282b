"""The optional sheets 「测点参数」 and 「设施参数」: what the notice's table has no column for."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from fbjd_registry.facilities.schemas import FacilityIn
from fbjd_registry.pointtable import layout
from fbjd_registry.pointtable.table import DesiredPoint, ParsedTable, cell_number, cell_text, grid
from fbjd_registry.validation import problems_from_errors
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["apply_facility_sheet", "apply_point_sheet"]

_ROLES = {label: role for role, label in layout.ROLE_LABELS.items()}
_SOURCES = {label: source for source, label in layout.SOURCE_LABELS.items()}
_KINDS = {label: kind for kind, label in layout.KIND_LABELS.items()}
_YES_NO = {label: value for value, label in layout.YES_NO.items()}
_ALLOWED_ROLES = {
    PointRole.PRODUCTION: {PointRole.PRODUCTION, PointRole.INTEGRATED},
    PointRole.TREATMENT: {PointRole.TREATMENT},
    PointRole.TOTAL_LINE: {PointRole.TOTAL_LINE},
}


def _rows(ws: Worksheet, headers: tuple[str, ...], table: ParsedTable) -> list[tuple[str, list[object]]]:
    rows = grid(ws)
    if not rows or tuple(cell_text(v) for v in rows[0][: len(headers)]) != headers:
        table.problem(f"{ws.title}第1行", "表头", f"表头应为：{'、'.join(headers)}")
        return []
    width = len(headers)
    return [
        (f"{ws.title}第{index + 1}行", (list(row) + [None] * width)[:width])
        for index, row in enumerate(rows[1:], start=1)
        if any(cell_text(v) for v in row)
    ]


def _number(table: ParsedTable, where: str, column: str, value: object) -> float | None:
    try:
        return cell_number(value)
    except ValueError:
        table.problem(where, column, f"须为数字，现为 {cell_text(value)!r}")
        return None


def _same_rating(
    table: ParsedTable, point: DesiredPoint, where: str, key: str, column: str, value: float | None
) -> None:
    main = point.fields.get(key)
    if value is None:
        return
    if main is None:
        point.fields[key] = value
    elif main != value:
        table.problem(where, column, f"「{point.name}」的{column}为 {value}，与{point.where}的 {main} 不一致")


def _point_row(table: ParsedTable, where: str, values: list[object]) -> None:
    headers = layout.POINT_HEADERS
    name = cell_text(values[0])
    point = table.points.get(name)
    if point is None:
        table.problem(where, headers[0], f"「{name}」不在{layout.MAIN_SHEET}中")
        return
    if cell_text(values[1]) != (point.facility or ""):
        table.problem(
            where,
            headers[1],
            f"「{name}」在{point.where}属于「{point.facility or '—'}」，这里写的是「{cell_text(values[1])}」",
        )
    role = _ROLES.get(cell_text(values[2]))
    if role is None:
        table.problem(where, headers[2], f"须为以下之一：{'、'.join(_ROLES)}，现为 {cell_text(values[2])!r}")
    elif role not in _ALLOWED_ROLES[point.fields["role"]]:
        table.problem(where, headers[2], f"「{name}」填在{point.where}的位置不能是「{cell_text(values[2])}」测点")
    else:
        point.fields["role"] = role
        point.origins["role"] = where
    _same_rating(table, point, where, "rated_kw", headers[3], _number(table, where, headers[3], values[3]))
    _same_rating(table, point, where, "threshold_kw", headers[4], _number(table, where, headers[4], values[4]))
    source_text = cell_text(values[5])
    if source_text:
        source = _SOURCES.get(source_text)
        if source is None:
            table.problem(where, headers[5], f"须为以下之一：{'、'.join(_SOURCES)}，现为 {source_text!r}")
        point.fields["threshold_source"] = source
        point.origins["threshold_source"] = where
    minutes = _number(table, where, headers[6], values[6])
    if minutes is not None:
        point.fields["judgement_minutes"] = int(minutes) if minutes.is_integer() else minutes
        point.origins["judgement_minutes"] = where
    for key, index in (("mn", 7), ("factor_code", 8), ("standby_group", 9)):
        point.fields[key] = cell_text(values[index]) or None
        point.origins[key] = where


def apply_point_sheet(ws: Worksheet, table: ParsedTable) -> None:
    for where, values in _rows(ws, layout.POINT_HEADERS, table):
        _point_row(table, where, values)


def _facility_row(table: ParsedTable, where: str, values: list[object]) -> None:
    headers = layout.FACILITY_HEADERS
    name = cell_text(values[0])
    known = table.facilities.get(name)
    if known is None:
        table.problem(where, headers[0], f"「{name}」不在{layout.MAIN_SHEET}中")
        return
    kind = _KINDS.get(cell_text(values[1]))
    if kind is None or kind is not FacilityKind(known.kind):
        expected = layout.KIND_LABELS[FacilityKind(known.kind)]
        table.problem(
            where,
            headers[1],
            f"「{name}」在{table.facility_rows[name]}是{expected}，这里写的是 {cell_text(values[1])!r}",
        )
        return
    needs = _YES_NO.get(cell_text(values[4]) or "是")
    if needs is None:
        table.problem(where, headers[4], f"须为「是」或「否」，现为 {cell_text(values[4])!r}")
        return
    raw: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "process": cell_text(values[2]) or None,
        "rated_kw": _number(table, where, headers[3], values[3]),
        "needs_treatment": needs,
    }
    try:
        table.facilities[name] = FacilityIn.model_validate(raw)
    except ValidationError as exc:
        for problem in problems_from_errors(exc.errors(), strip_prefix=()):
            table.problem(where, problem.label, f"设施「{name}」：{problem.message}")


def apply_facility_sheet(ws: Worksheet, table: ParsedTable) -> None:
    for where, values in _rows(ws, layout.FACILITY_HEADERS, table):
        _facility_row(table, where, values)
