"""Rule 1, treatment abnormal (治理设施异常): production runs while a linked treatment facility does not.

A production facility runs when one of its production points is above threshold; integrated points (产治一体)
say nothing here, since one meter cannot show production without its treatment. A treatment facility runs when
each required group has a point on; a group is off only when every point of it that reports at all is known to
be off (main/standby switching keeps the group on; a silent standby meter never makes a group off by itself).
Each off group is its own "treatment node": one record per continuous stretch per production facility and node,
lasting at least the node's judgement time (the largest judgement_minutes of its points).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from fbjd_rules.engine.grid import Grid, PointStates, Segment
from fbjd_rules.engine.model import Point, PointRole, Topology
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import Abnormal, AbnormalType, EvidencePoint
from fbjd_rules.engine.runs import OpenCheck, Run, bridged_runs, tristate

__all__ = ["treatment_abnormals"]

BoolArray = NDArray[np.bool_]


@dataclass
class _Node:
    """One (production facility, treatment facility, group) pair over the whole grid."""

    condition: BoolArray
    known: BoolArray
    gap_minutes: int = 1
    segment_at: dict[int, tuple[Segment, tuple[str, ...]]] = field(default_factory=dict)


def _judged(points: list[Point]) -> list[Point]:
    return [p for p in points if p.threshold_kw is not None]


def _evidence(points: list[Point]) -> tuple[EvidencePoint, ...]:
    return tuple(EvidencePoint(p.id, p.name, p.role.value, p.facility_id, p.threshold_kw) for p in points)


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
                if not members:
                    continue
                some_on, all_off = states.any_on(members, lo, hi)
                key = (production_id, treatment_id, group[0])
                node = nodes.get(key)
                if node is None:
                    node = nodes[key] = _Node(np.zeros(grid.n, dtype=bool), np.zeros(grid.n, dtype=bool))
                violating = running & all_off
                node.condition[lo:hi] = violating
                node.known[lo:hi] = violating | stopped | some_on
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
    for (production_id, treatment_id, node_id), node in sorted(_collect(grid, states, segments).items()):
        state = tristate(node.condition, node.known)
        for run in bridged_runs(state, gap_minutes=node.gap_minutes, min_minutes=1):
            truncated = truncated or run.start == 0
            segment, member_ids = _segment_for(node, run.start)
            topo = segment.topology
            members = [p for pid in member_ids if (p := topo.point(pid)) is not None]
            judgement = max([p.judgement_minutes for p in members] or [params.treatment_minutes])
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
                    treatment_point_ids=tuple(sorted(member_ids)),
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
