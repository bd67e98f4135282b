"""What the evaluation core works on: an enterprise's topology as of an instant, and the control measures in force.

These are the rules service's own re-declaration of the registry's contract (duplication is cheaper than
coupling): built from the registry's JSON by `fbjd_rules.evaluation.registry_client`, or by hand in tests.
Ids are plain strings (the registry's UUIDs as text) so the core never needs to parse them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "ControlAction",
    "ControlSpan",
    "Facility",
    "FacilityKind",
    "Point",
    "PointRole",
    "Topology",
    "TopologyVersion",
    "Window",
]


class PointRole(StrEnum):
    TOTAL_LINE = "total_line"  # 总进线: never judged
    PRODUCTION = "production"  # 生产设施测点
    TREATMENT = "treatment"  # 治理设施测点
    INTEGRATED = "integrated"  # 产治一体: production and treatment on one meter, cannot raise rule 1


class FacilityKind(StrEnum):
    PRODUCTION = "production"  # 生产设施
    TREATMENT = "treatment"  # 治理设施


class ControlAction(StrEnum):
    STOP = "stop"  # 停产
    LIMIT = "limit"  # 限产
    OFF_PEAK = "off_peak"  # 错峰


@dataclass(frozen=True, slots=True)
class Point:
    """A monitoring point (监测点位): running when its active power is above `threshold_kw`."""

    id: str
    name: str
    role: PointRole
    facility_id: str | None
    threshold_kw: float | None
    judgement_minutes: int = 15
    rated_kw: float | None = None
    standby_group: str | None = None
    threshold_source: str | None = None
    mn: str | None = None
    factor_code: str | None = None


@dataclass(frozen=True, slots=True)
class Facility:
    id: str
    name: str
    kind: FacilityKind
    rated_kw: float | None = None


@dataclass(frozen=True, slots=True)
class Topology:
    """An enterprise's facilities, points, links and treatment requirements as the registry said at one instant.

    `requirements` maps a treatment facility to its required point groups: the facility runs when every group
    has at least one point on (main/standby points share a group, the province's treatmentAmmeterIds).
    """

    ps_id: str
    enterprise_name: str
    county: str | None
    industry: str | None
    facilities: tuple[Facility, ...]
    points: tuple[Point, ...]
    links: tuple[tuple[str, str], ...]  # (production facility id, treatment facility id)
    requirements: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    def facility(self, facility_id: str) -> Facility | None:
        return next((f for f in self.facilities if f.id == facility_id), None)

    def point(self, point_id: str) -> Point | None:
        return next((p for p in self.points if p.id == point_id), None)

    def points_of(self, facility_id: str, *roles: PointRole) -> list[Point]:
        return [p for p in self.points if p.facility_id == facility_id and (not roles or p.role in roles)]


@dataclass(frozen=True, slots=True)
class TopologyVersion:
    """A topology and the instant from which it was in force (until the next version)."""

    valid_from: datetime
    topology: Topology


@dataclass(frozen=True, slots=True)
class Window:
    """A daily wall-clock window in China Standard Time, "HH:MM" to "HH:MM" (may cross midnight)."""

    start: str
    end: str


@dataclass(frozen=True, slots=True)
class ControlSpan:
    """A measure of a control period (管控时段) on one facility, in force over [start, end).

    `period_start` is when the period began: a limit is judged on the energy used since then.
    """

    facility_id: str
    action: ControlAction
    start: datetime
    end: datetime
    period_id: str
    period_name: str
    period_start: datetime
    level: str | None = None
    limit_share: float | None = None
    windows: tuple[Window, ...] = ()
