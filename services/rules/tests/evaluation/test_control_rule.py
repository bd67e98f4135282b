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


def _version(plan: dict[str, Any], start_h: float | None, end_h: float | None) -> dict[str, Any]:
    """A plan version as the registry's /control-plan-versions answers it: in force over [start_h, end_h)."""
    valid_from = None if start_h is None else (T0 + timedelta(hours=start_h)).isoformat()
    valid_to = None if end_h is None else (T0 + timedelta(hours=end_h)).isoformat()
    return {**plan, "valid_from": valid_from, "valid_to": valid_to}


def test_a_plan_revised_mid_period_cuts_the_span_where_it_changed() -> None:
    """Red from 0 h to 10 h; the plan said "kiln limited to 50 %" until 3 h, "kiln stops" from then on."""
    limit = _plan("red", {"facility_id": "kiln", "action": "limit", "limit_share": 0.5})
    stop = _plan("red", {"facility_id": "kiln", "action": "stop"})
    spans = spans_in_force(
        periods=[_period("r", "red", 0, 10)],
        plans=[_version(limit, 0, 3), _version(stop, 3, None)],
        topology=TOPOLOGY,
        start=T0 + timedelta(hours=1),
        end=T0 + timedelta(hours=6),
    )
    summary = [(s.action, (s.start - T0) / timedelta(hours=1), (s.end - T0) / timedelta(hours=1)) for s in spans]
    assert summary == [(ControlAction.LIMIT, 1, 3), (ControlAction.STOP, 3, 6)]
    assert all(s.period_start == T0 and s.period_id == "r" for s in spans)  # the limit still counts from 0 h
    assert spans[0].limit_share == 0.5 and spans[1].limit_share is None


def test_a_revision_that_leaves_the_facility_as_it_was_does_not_cut_its_span() -> None:
    """The revision at 2 h only adds a measure for the mill: the kiln's stop runs on as one span."""
    before = _plan("red", {"facility_id": "kiln", "action": "stop"})
    after = _plan(
        "red", {"facility_id": "kiln", "action": "stop"}, {"facility_id": "mill", "action": "limit", "limit_share": 0.5}
    )
    spans = spans_in_force(
        periods=[_period("r", "red", 0, 10)],
        plans=[_version(before, 0, 2), _version(after, 2, None)],
        topology=TOPOLOGY,
        start=T0,
        end=T0 + timedelta(hours=4),
    )
    summary = [(s.facility_id, (s.start - T0) / timedelta(hours=1), (s.end - T0) / timedelta(hours=1)) for s in spans]
    assert summary == [("kiln", 0, 4), ("mill", 2, 4)]


def test_a_plan_filed_after_the_data_does_not_judge_it() -> None:
    """The red period began at 0 h, but the enterprise's plan only exists from 5 h: nothing before 5 h."""
    stop = _plan("red", {"facility_id": "kiln", "action": "stop"})
    spans = spans_in_force(
        periods=[_period("r", "red", 0, 10)],
        plans=[_version(stop, 5, None)],
        topology=TOPOLOGY,
        start=T0,
        end=T0 + timedelta(hours=8),
    )
    assert [((s.start - T0) / timedelta(hours=1), (s.end - T0) / timedelta(hours=1)) for s in spans] == [(5, 8)]
