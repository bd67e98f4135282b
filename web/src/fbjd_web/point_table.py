"""An enterprise's production ↔ treatment correspondence shaped like the notice's 「XX企业分表计电监测点位信息表」,
with each point's live state beside it.

The notice's table has one block of rows per production facility (设施, its key node points, rated power /
threshold) with its treatment facilities and their key node points beside it. Rows are laid out here as a grid
of cells with row spans, so the template only walks it: a block has as many rows as the larger of its
production points and its treatment nodes; the last production point (and a treatment facility without
points) spans what is left. Treatment serving no production facility, integrated points and the total incoming
lines (总进线) follow in blocks of their own; totals count points and rated power by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

__all__ = [
    "POINT_COLUMNS",
    "STALE_AFTER",
    "Block",
    "GridCell",
    "PointState",
    "PointTable",
    "live_state",
    "point_state",
    "shape_point_table",
]

#: A point takes three columns: key node name, rated power / threshold, live state.
POINT_COLUMNS = 3

#: Without a value this recent a point's state is unknown (three 5-minute intervals).
STALE_AFTER = timedelta(minutes=15)

State = Literal["on", "off", "no_threshold", "no_data", "stale"]


@dataclass(frozen=True)
class PointState:
    """A point with its last value and what that means against its threshold."""

    point: Mapping[str, Any]
    kw: float | None
    data_time: datetime | None
    state: State

    @property
    def id(self) -> str:
        return str(self.point["id"])


@dataclass(frozen=True)
class GridCell:
    """One cell of the table: a facility, a point, or an empty filler; `rowspan` ≥ 1."""

    kind: Literal["facility", "point", "empty"]
    rowspan: int = 1
    facility: Mapping[str, Any] | None = None
    point: PointState | None = None
    colspan: int = 1  # an empty filler in the point columns spans name, rating and state


@dataclass
class Block:
    """One production facility (or a block of its own) and its rows: [left cells..., right cells...] per row."""

    number: int
    title: str
    rows: list[tuple[list[GridCell], list[GridCell]]] = field(default_factory=list)


@dataclass
class PointTable:
    blocks: list[Block]
    production_points: int
    treatment_points: int
    production_rated_kw: float
    treatment_rated_kw: float
    states: dict[str, PointState]


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def live_state(kw: float | None, threshold: float | None, data_time: datetime | None, now: datetime) -> State:
    """on: above its threshold; off: at or below; stale: last value older than STALE_AFTER; no_data: never."""
    if data_time is None:
        return "no_data"
    if now - data_time > STALE_AFTER or kw is None:
        return "stale"
    if threshold is None:
        return "no_threshold"
    return "on" if kw > threshold else "off"


def point_state(point: Mapping[str, Any], latest: Mapping[str, Any] | None, now: datetime) -> PointState:
    """A registry point joined with its ingest `points/latest` row (None when it never reported)."""
    kw = None if latest is None else latest.get("kw")
    data_time = None if latest is None else _parse(latest.get("data_time"))
    return PointState(point, kw, data_time, live_state(kw, point.get("threshold_kw"), data_time, now))


def _column(items: Sequence[GridCell], height: int, width: int) -> list[list[GridCell]]:
    """Spread cells (each with its own span) down `height` rows; the last one stretches to fill."""
    column: list[list[GridCell]] = [[] for _ in range(height)]
    row = 0
    for index, cell in enumerate(items):
        span = cell.rowspan if index < len(items) - 1 else height - row
        column[row].append(GridCell(cell.kind, span, cell.facility, cell.point, cell.colspan))
        row += span
    if not items:
        column[0].append(GridCell("empty", height, colspan=width))
    return column


def _side(
    facilities: Sequence[Mapping[str, Any]], points_of: Mapping[str, list[PointState]]
) -> tuple[list[GridCell], list[GridCell], int]:
    """Facility cells and point cells of one side; a facility without points still takes one row."""
    facility_cells: list[GridCell] = []
    point_cells: list[GridCell] = []
    for facility in facilities:
        own = points_of.get(str(facility["id"]), [])
        facility_cells.append(GridCell("facility", max(1, len(own)), facility=facility))
        point_cells.extend(GridCell("point", point=p) for p in own)
        if not own:
            point_cells.append(GridCell("empty", colspan=POINT_COLUMNS))
    return facility_cells, point_cells, sum(c.rowspan for c in facility_cells)


def _block(
    number: int,
    title: str,
    left: Sequence[Mapping[str, Any]],
    right: Sequence[Mapping[str, Any]],
    points_of: Mapping[str, list[PointState]],
) -> Block:
    left_fac, left_pts, left_h = _side(left, points_of)
    right_fac, right_pts, right_h = _side(right, points_of)
    height = max(1, left_h, right_h)
    columns = [
        _column(cells, height, width)
        for cells, width in ((left_fac, 1), (left_pts, POINT_COLUMNS), (right_fac, 1), (right_pts, POINT_COLUMNS))
    ]
    block = Block(number, title)
    for row in range(height):
        block.rows.append((columns[0][row] + columns[1][row], columns[2][row] + columns[3][row]))
    return block


def shape_point_table(topology: Mapping[str, Any], latest: Sequence[Mapping[str, Any]], now: datetime) -> PointTable:
    """The registry topology (facilities, points, links) and ingest's latest values → the notice's table."""
    by_point = {str(row["point_id"]): row for row in latest}
    states = {str(p["id"]): point_state(p, by_point.get(str(p["id"])), now) for p in topology["points"]}
    points_of: dict[str, list[PointState]] = {}
    for state in states.values():
        facility_id = state.point.get("facility_id")
        if facility_id is not None and state.point.get("role") != "total_line":
            points_of.setdefault(str(facility_id), []).append(state)
    facilities = {str(f["id"]): f for f in topology["facilities"]}
    served: dict[str, list[str]] = {}
    for link in topology["links"]:
        served.setdefault(str(link["production_facility_id"]), []).append(str(link["treatment_facility_id"]))
    production = [f for f in topology["facilities"] if f["kind"] == "production"]
    treatment = [f for f in topology["facilities"] if f["kind"] == "treatment"]
    linked = {t for ids in served.values() for t in ids}
    blocks = [
        _block(
            n, str(f["name"]), [f], [facilities[t] for t in served.get(str(f["id"]), []) if t in facilities], points_of
        )
        for n, f in enumerate(production, start=1)
    ]
    lonely = [t for t in treatment if str(t["id"]) not in linked]
    if lonely:
        blocks.append(_block(len(blocks) + 1, "未关联生产设施的治污设施", [], lonely, points_of))
    lines = [s for s in states.values() if s.point.get("role") == "total_line" or s.point.get("facility_id") is None]
    if lines:
        block = Block(len(blocks) + 1, "总进线")
        for row, state in enumerate(lines):
            cell = GridCell("point", point=state)
            if row == 0:
                span = len(lines)
                block.rows.append(
                    ([GridCell("facility", span), cell], [GridCell("empty", span, colspan=1 + POINT_COLUMNS)])
                )
            else:
                block.rows.append(([cell], []))
        blocks.append(block)

    def rated(kind: str) -> float:
        return sum(
            float(s.point.get("rated_kw") or 0)
            for s in states.values()
            if s.point.get("role") in (kind, "integrated") and s.point.get("facility_id") is not None
        )

    return PointTable(
        blocks=blocks,
        production_points=sum(1 for s in states.values() if s.point.get("role") in ("production", "integrated")),
        treatment_points=sum(1 for s in states.values() if s.point.get("role") == "treatment"),
        production_rated_kw=rated("production"),
        treatment_rated_kw=rated("treatment"),
        states=states,
    )
