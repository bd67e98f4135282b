"""What a point table says, by name, while it is being read; and how its cells are read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from fbjd_registry.errors import Problem
from fbjd_registry.facilities.schemas import FacilityIn

__all__ = ["DesiredPoint", "ParsedTable", "cell_number", "cell_text", "grid"]


@dataclass
class DesiredPoint:
    name: str
    facility: str | None
    fields: dict[str, Any]  # the fields of PointIn except name and facility_id
    where: str  # the row of the main sheet
    origins: dict[str, str] = field(default_factory=dict)  # field → the row it was read from, where not `where`

    def where_of(self, field_name: str) -> str:
        return self.origins.get(field_name, self.where)


@dataclass
class ParsedTable:
    facilities: dict[str, FacilityIn] = field(default_factory=dict)
    points: dict[str, DesiredPoint] = field(default_factory=dict)
    links: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    facility_rows: dict[str, str] = field(default_factory=dict)

    def problem(self, where: str, column: str, message: str) -> None:
        self.problems.append(Problem(field=where, label=column, message=message))


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_number(value: object) -> float | None:
    """A number from a cell (a number or its text); None when empty; ValueError when not a number."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    return float(cell_text(value))


def grid(ws: Worksheet) -> list[list[object]]:
    """The sheet's values, with every merged range's value copied into each of its cells."""
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value
    return rows
