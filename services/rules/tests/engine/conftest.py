"""Hand-built enterprises and series for the evaluation core (no database, no HTTP).

`scene` gives a `Scene`: add facilities and points, link them, write each point's power minute by minute as
(minutes, kW) steps, then `evaluate()`. T0 is Monday 2026-03-02 08:00 CST (00:00 UTC).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fbjd_rules.engine import (
    ControlSpan,
    EvaluationInput,
    EvaluationResult,
    Facility,
    FacilityKind,
    Point,
    PointRole,
    PointSeries,
    RuleParams,
    Topology,
    TopologyVersion,
    build_series,
    evaluate,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Scene:
    def __init__(self, ps_id: str = "0" * 31 + "1") -> None:
        self.ps_id = ps_id
        self.facilities: list[Facility] = []
        self.points: list[Point] = []
        self.links: list[tuple[str, str]] = []
        self.series: dict[str, PointSeries] = {}
        self.versions: list[TopologyVersion] = []
        self.controls: list[ControlSpan] = []

    def facility(self, fid: str, kind: str = "production") -> str:
        self.facilities.append(Facility(fid, f"{fid}设施", FacilityKind(kind)))
        return fid

    def point(self, pid: str, facility: str, role: str = "production", **extra: object) -> str:
        extra.setdefault("threshold_kw", 10.0)
        self.points.append(Point(pid, f"{pid}测点", PointRole(role), facility, **extra))  # type: ignore[arg-type]
        return pid

    def link(self, production: str, treatment: str) -> None:
        self.links.append((production, treatment))

    def topology(self) -> Topology:
        grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for p in self.points:
            if p.role is PointRole.TREATMENT and p.facility_id:
                grouped[p.facility_id][p.standby_group or f"point:{p.id}"].append(p.id)
        requirements = {
            f.id: tuple(tuple(sorted(members)) for _, members in sorted(grouped[f.id].items()))
            for f in self.facilities
            if f.kind is FacilityKind.TREATMENT
        }
        return Topology(
            self.ps_id,
            "沧州市测试陶瓷有限公司",
            "130902",
            "新型建材",
            tuple(self.facilities),
            tuple(self.points),
            tuple(self.links),
            requirements,
        )

    def freeze(self, valid_from: datetime = T0 - timedelta(days=30)) -> None:
        """Record the topology as it is now, in force from `valid_from`."""
        self.versions.append(TopologyVersion(valid_from, self.topology()))

    def power(
        self,
        pid: str,
        steps: list[tuple[float, float | None]],
        *,
        start: float = 0,
        interval: int = 1,
        skip: tuple[float, ...] = (),
        extend: bool = False,
    ) -> None:
        """Samples every `interval` minutes: `steps` as (minutes, kW) pieces in order; None = flagged sample.

        `extend` appends to the point's existing samples (which must all be earlier).
        """
        times, values, valid = [], [], []
        minute = start
        for length, kw in steps:
            end = minute + length
            while minute < end - 1e-9:
                if minute not in skip:
                    times.append(int(at(minute).timestamp()))
                    values.append(0.0 if kw is None else kw)
                    valid.append(kw is not None)
                minute += interval
        times_a, values_a, valid_a = np.array(times, dtype=np.int64), np.array(values), np.array(valid, dtype=bool)
        if extend and pid in self.series:
            old = self.series[pid]
            times_a = np.concatenate([old.times, times_a])
            valid_a = np.concatenate([~np.isnan(old.power_kw), valid_a])
            values_a = np.concatenate([np.nan_to_num(old.power_kw), values_a])
        self.series[pid] = build_series(pid, times_a, power=values_a, valid=valid_a, interval_s=interval * 60)

    def evaluate(
        self, start: float = 0, end: float = 600, horizon: float | None = None, params: RuleParams | None = None
    ) -> EvaluationResult:
        if not self.versions:
            self.freeze()
        return evaluate(
            EvaluationInput(
                ps_id=self.ps_id,
                start=at(start),
                end=at(end),
                horizon=at(end if horizon is None else horizon),
                versions=list(self.versions),
                series=dict(self.series),
                controls=list(self.controls),
                params=params or RuleParams(),
            )
        )


@pytest.fixture
def scene() -> Scene:
    return Scene()
