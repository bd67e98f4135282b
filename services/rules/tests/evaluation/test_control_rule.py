"""Which measure is in force (the registry's obligation rule, applied by the rules to the latest periods)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_rules.engine.model import ControlAction, Facility, FacilityKind, Topology
from fbjd_rules.evaluation.control import covers, spans_in_force

T0 = datetime(2026, 12, 1, tzinfo=UTC)
TOPOLOGY = Topology(
    "a" * 32,
    "测试企业",
    "130902",
    "新型建材",
    (Facility("kiln", "窑", FacilityKind.PRODUCTION), Facility("mill", "磨机", FacilityKind.PRODUCTION)),
    (),
    (),
)


def _period(pid: str, level: str, start_h: float, end_h: float, **scope: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"{level}预警",
        "level": level,
        "issuer_county_code": scope.pop("issuer", None),
        "starts_at": (T0 + timedelta(hours=start_h)).isoformat(),
        "ends_at": (T0 + timedelta(hours=end_h)).isoformat(),
        **scope,
    }


def _plan(level: str, *measures: dict[str, Any]) -> dict[str, Any]:
    return {"level": level, "measures": list(measures)}


def test_scope_by_issuer_county_and_industry() -> None:
    assert covers(_period("p", "red", 0, 1), TOPOLOGY)
    assert covers(_period("p", "red", 0, 1, counties=["130902"], industries=["新型建材"]), TOPOLOGY)
    assert not covers(_period("p", "red", 0, 1, counties=["130921"]), TOPOLOGY)
    assert not covers(_period("p", "red", 0, 1, industries=["钢铁"]), TOPOLOGY)
    assert not covers(_period("p", "red", 0, 1, issuer="130921"), TOPOLOGY)


def test_the_strictest_measure_wins_and_the_window_is_cut_at_period_boundaries() -> None:
    periods = [_period("y", "yellow", 0, 10), _period("r", "red", 2, 4)]
    plans = [
        _plan("yellow", {"facility_id": "kiln", "action": "limit", "limit_share": 0.7}),
        _plan(
            "red",
            {"facility_id": "kiln", "action": "stop"},
            {"facility_id": "mill", "action": "limit", "limit_share": 0.5},
        ),
    ]
    spans = spans_in_force(periods=periods, plans=plans, topology=TOPOLOGY, start=T0, end=T0 + timedelta(hours=6))
    summary = [
        (s.facility_id, s.action, (s.start - T0) / timedelta(hours=1), (s.end - T0) / timedelta(hours=1), s.period_id)
        for s in spans
    ]
    assert summary == [
        ("kiln", ControlAction.LIMIT, 0, 2, "y"),
        ("kiln", ControlAction.STOP, 2, 4, "r"),
        ("mill", ControlAction.LIMIT, 2, 4, "r"),
        ("kiln", ControlAction.LIMIT, 4, 6, "y"),
    ]
    assert spans[0].period_start == T0 and spans[0].limit_share == 0.7


def test_no_plan_for_the_level_means_no_measure() -> None:
    spans = spans_in_force(
        periods=[_period("o", "orange", 0, 5)],
        plans=[_plan("red", {"facility_id": "kiln", "action": "stop"})],
        topology=TOPOLOGY,
        start=T0,
        end=T0 + timedelta(hours=6),
    )
    assert spans == []
