"""Rule 1, treatment abnormal (治理设施异常): production runs while a linked treatment facility does not.

A production facility runs when one of its production points is above threshold; integrated points (产治一体)
say nothing here, since one meter cannot show production without its treatment. A treatment facility runs when
each required group has a point on; a group is off only when every point of it that reports at all is known to
be off (main/standby switching keeps the group on; a silent standby meter never makes a group off by itself).
Each off group is its own "treatment node": one record per continuous stretch per production facility and node,
lasting at least the node's judgement time (the largest judgement_minutes of its points).

`treatment_stretches` exposes the same judgement's intermediate state (运行工况) without making records: every
stretch of the condition (`abnormal` when it lasts the judgement time — each such is a record — `short` when
it does not) and every stretch the data cannot decide (`unknown`: production on while no point of the node
says whether the treatment runs, its points silent then or silent altogether).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from fbjd_rules.engine.grid import Grid, PointStates, Segment
from fbjd_rules.engine.model import Point, PointRole, Topology
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import Abnormal, AbnormalType, EvidencePoint
from fbjd_rules.engine.runs import OpenCheck, Run, bridged_runs, runs_of, tristate

__all__ = ["StretchKind", "TreatmentStretch", "treatment_abnormals", "treatment_stretches"]

StretchKind = Literal["abnormal", "short", "unknown"]

BoolArray = NDArray[np.bool_]


@dataclass
class _Node:
    """One (production facility, treatment facility, group) pair over the whole grid."""

    condition: BoolArray
    known: BoolArray
    undecided: BoolArray  # production on while the node's state cannot be decided (its points silent)
    gap_minutes: int = 1
    segment_at: dict[int, tuple[Segment, tuple[str, ...]]] = field(default_factory=dict)
    silent_at: dict[int, tuple[Segment, tuple[str, ...]]] = field(default_factory=dict)  # no point has any data


@dataclass(frozen=True, slots=True)
class TreatmentStretch:
    """One stretch of rule 1's condition (or of its undecidability) for a production facility and treatment node."""

    kind: StretchKind
    production_facility_id: str
    treatment_facility_id: str
    treatment_point_id: str  # the node (its first point), as in the records
    treatment_point_ids: tuple[str, ...]
    start: datetime
    end: datetime
    judgement_minutes: int

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _judged(points: list[Point]) -> list[Point]:
    return [p for p in points if p.threshold_kw is not None]


def _evidence(points: list[Point]) -> tuple[EvidencePoint, ...]:
    return tuple(EvidencePoint(p.id, p.name, p.role.value, p.facility_id, p.threshold_kw) for p in points)


def _node(nodes: dict[tuple[str, str, str], _Node], key: tuple[str, str, str], n: int) -> _Node:
    node = nodes.get(key)
    if node is None:
        node = nodes[key] = _Node(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    return node


def _silent(topo: Topology, group: tuple[str, ...]) -> tuple[str, ...]:
    """The group's judged treatment points (none of which sent data in the window)."""
    return tuple(
        pid
        for pid in group
        if (p := topo.point(pid)) is not None and p.role is PointRole.TREATMENT and p.threshold_kw is not None
    )


def _collect(grid: Grid, states: PointStates, segments: list[Segment]) -> dict[tuple[str, str, str], _Node]:
    nodes: dict[tuple[str, str, str], _Node] = {}
    for segment in segments:
        topo, lo, hi = segment.topology, segment.start, segment.end
        for production_id, treatment_id in topo.links:
            producers = [p.id for p in _judged(topo.points_of(production_id, PointRole.PRODUCTION))]
            if not producers:
                continue
            running, stopped = states.any_on(producers, lo, hi)
            for group in topo.requirements.get(treatment_id, ()):
                members = tuple(
                    pid
                    for pid in group
                    if (p := topo.point(pid)) is not None
                    and p.role is PointRole.TREATMENT
                    and p.threshold_kw is not None
                    and states.has_data(pid)
                )
                key = (production_id, treatment_id, group[0])
                if not members:
                    if silent := _silent(topo, group):  # nothing to judge by: undecided while production runs
                        node = _node(nodes, key, grid.n)
                        node.undecided[lo:hi] = running
                        node.silent_at[lo] = (segment, silent)
                    continue
                some_on, all_off = states.any_on(members, lo, hi)
                node = _node(nodes, key, grid.n)
                violating = running & all_off
                node.condition[lo:hi] = violating
                node.known[lo:hi] = violating | stopped | some_on
                node.undecided[lo:hi] = running & ~some_on & ~all_off
                gaps = [states.interval_minutes(pid) for pid in (*producers, *members)]
                node.gap_minutes = max(node.gap_minutes, *gaps)
                node.segment_at[lo] = (segment, members)
    return nodes


def _segment_for(node: _Node, index: int) -> tuple[Segment, tuple[str, ...]]:
    starts = sorted(s for s in node.segment_at if s <= index)
    return node.segment_at[starts[-1]] if starts else node.segment_at[min(node.segment_at)]


def _node_threshold(members: list[Point], node_id: str) -> float | None:
    chosen = next((p for p in members if p.id == node_id), members[0] if members else None)
    return None if chosen is None else chosen.threshold_kw


def _remark(topo: Topology, production: list[Point], members: list[Point], run: Run, judgement: int) -> str:
    prod_names = "、".join(f"「{p.name}」(阈值{p.threshold_kw:g}kW)" for p in production)
    node_names = "、".join(f"「{p.name}」(阈值{p.threshold_kw:g}kW)" for p in members)
    standby = "（主备测点均）" if len(members) > 1 else ""
    return (
        f"{topo.enterprise_name}：生产设施测点{prod_names}功率高于阈值（生产运行）期间，"
        f"治理设施测点{node_names}{standby}功率低于阈值（治理设施未运行），"
        f"持续{run.minutes}分钟，达到判定时长{judgement}分钟。"
    )


@dataclass(frozen=True, slots=True)
class _Judged:
    """A run of one node's condition with what it is judged by (the topology and members at its start)."""

    key: tuple[str, str, str]
    node: _Node
    run: Run
    topo: Topology
    member_ids: tuple[str, ...]
    members: list[Point]
    judgement: int


def _judged_runs(nodes: dict[tuple[str, str, str], _Node], params: RuleParams) -> Iterator[_Judged]:
    """Every run of the condition (of any length), node by node in a stable order."""
    for key, node in sorted(nodes.items()):
        state = tristate(node.condition, node.known)
        for run in bridged_runs(state, gap_minutes=node.gap_minutes, min_minutes=1):
            segment, member_ids = _segment_for(node, run.start)
            topo = segment.topology
            members = [p for pid in member_ids if (p := topo.point(pid)) is not None]
            judgement = max([p.judgement_minutes for p in members] or [params.treatment_minutes])
            yield _Judged(key, node, run, topo, member_ids, members, judgement)


def treatment_abnormals(
    grid: Grid,
    states: PointStates,
    segments: list[Segment],
    params: RuleParams,
    *,
    still_open: OpenCheck,
) -> tuple[list[Abnormal], bool]:
    """Records of rule 1, and whether some stretch (of any length) starts at the grid's first minute."""
    found: list[Abnormal] = []
    truncated = False
    for judged in _judged_runs(_collect(grid, states, segments), params):
        (production_id, treatment_id, node_id), node, run = judged.key, judged.node, judged.run
        topo, members, judgement = judged.topo, judged.members, judged.judgement
        truncated = truncated or run.start == 0
        if run.minutes < judgement:
            continue
        production = _judged(topo.points_of(production_id, PointRole.PRODUCTION))
        prod_facility, treat_facility = topo.facility(production_id), topo.facility(treatment_id)
        found.append(
            Abnormal(
                type=AbnormalType.TREATMENT,
                ps_id=topo.ps_id,
                enterprise_name=topo.enterprise_name,
                county=topo.county,
                industry=topo.industry,
                production_facility_id=production_id,
                production_facility_name=prod_facility.name if prod_facility else production_id,
                treatment_facility_id=treatment_id,
                treatment_facility_name=treat_facility.name if treat_facility else treatment_id,
                treatment_point_id=node_id,
                treatment_point_ids=tuple(sorted(judged.member_ids)),
                start=grid.time(run.start),
                end=grid.time(run.end),
                ongoing=still_open(grid.time(run.end), run.open_end, node.gap_minutes),
                judgement_minutes=judgement,
                production_threshold_kw=production[0].threshold_kw if production else None,
                treatment_threshold_kw=_node_threshold(members, node_id),
                limit_ratio=None,
                remark=_remark(topo, production, members, run, judgement),
                evidence_points=_evidence(production + members),
                params=params,
            )
        )
    return found, truncated


def _stretch(
    kind: StretchKind, key: tuple[str, str, str], ids: tuple[str, ...], grid: Grid, lo: int, hi: int, judgement: int
) -> TreatmentStretch:
    production_id, treatment_id, node_id = key
    return TreatmentStretch(
        kind, production_id, treatment_id, node_id, tuple(sorted(ids)), grid.time(lo), grid.time(hi), judgement
    )


def _unknown(
    grid: Grid, key: tuple[str, str, str], node: _Node, covered: BoolArray, params: RuleParams
) -> list[TreatmentStretch]:
    """Runs of `undecided` outside the condition's (bridged) runs, named by the points in force at their start."""
    starts, ends = runs_of(node.undecided & ~covered)
    found = []
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        places = {**node.silent_at, **node.segment_at}
        segment, ids = places[max((s for s in places if s <= lo), default=min(places))]
        points = [p for pid in ids if (p := segment.topology.point(pid)) is not None]
        judgement = max([p.judgement_minutes for p in points] or [params.treatment_minutes])
        found.append(_stretch("unknown", key, ids, grid, lo, hi, judgement))
    return found


def treatment_stretches(
    grid: Grid, states: PointStates, segments: list[Segment], params: RuleParams
) -> tuple[list[TreatmentStretch], bool]:
    """Rule 1's stretches of every length and its undecidable stretches, and whether a stretch of the condition
    starts at the first minute (as `treatment_abnormals` says: it may have begun earlier; an unknown stretch
    starting there is only cut at the window, which identifies nothing)."""
    found: list[TreatmentStretch] = []
    truncated = False
    covered: dict[tuple[str, str, str], BoolArray] = {}
    nodes = _collect(grid, states, segments)
    for judged in _judged_runs(nodes, params):
        run = judged.run
        truncated = truncated or run.start == 0
        mask = covered.setdefault(judged.key, np.zeros(grid.n, dtype=bool))
        mask[run.start : run.end] = True
        kind: StretchKind = "abnormal" if run.minutes >= judged.judgement else "short"
        found.append(_stretch(kind, judged.key, judged.member_ids, grid, run.start, run.end, judged.judgement))
    for key, node in sorted(nodes.items()):
        found += _unknown(grid, key, node, covered.get(key, np.zeros(grid.n, dtype=bool)), params)
    found.sort(key=lambda s: (s.start, s.production_facility_id, s.treatment_point_id, s.kind))
    return found, truncated
