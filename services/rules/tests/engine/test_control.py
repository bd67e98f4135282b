"""Rules 2, 3 and 4 on hand-built series: stop (应停未停), limit (限产未限), off-peak (错峰生产)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fbjd_rules.engine import AbnormalType, ControlAction, ControlSpan, Window

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 CST


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _span(action: ControlAction, start: float, end: float, **extra: Any) -> ControlSpan:
    return ControlSpan(
        facility_id="kiln",
        action=action,
        start=_at(start),
        end=_at(end),
        period_id="p1",
        period_name="沧州市重污染天气橙色预警",
        period_start=_at(extra.pop("period_start", start)),
        level="orange",
        **extra,
    )


def _kiln(scene: Any) -> None:
    scene.facility("kiln")
    scene.point("kiln-p", "kiln", threshold_kw=20.0)


def test_running_29_minutes_into_a_stop_order_gives_nothing(scene: Any) -> None:
    _kiln(scene)
    scene.power("kiln-p", [(89, 80.0), (151, 2.0)])
    scene.controls.append(_span(ControlAction.STOP, 60, 240))
    assert scene.evaluate(end=240).abnormals == []


def test_running_30_minutes_into_a_stop_order_is_one_record_from_the_period_start(scene: Any) -> None:
    _kiln(scene)
    scene.power("kiln-p", [(90, 80.0), (150, 2.0)])
    scene.controls.append(_span(ControlAction.STOP, 60, 240))
    (record,) = scene.evaluate(end=240).abnormals
    assert record.type is AbnormalType.STOP and (record.start, record.end) == (_at(60), _at(90))
    assert record.treatment_facility_id is None and record.production_threshold_kw == 20.0
    assert "停产" in record.remark and "沧州市重污染天气橙色预警" in record.remark


def test_running_before_and_after_the_period_does_not_count(scene: Any) -> None:
    """Boundaries: the kiln runs all day; the order covers [60, 100) only: 40 minutes, ending at the period end."""
    _kiln(scene)
    scene.power("kiln-p", [(300, 80.0)])
    scene.controls.append(_span(ControlAction.STOP, 60, 100))
    (record,) = scene.evaluate(end=300).abnormals
    assert (record.start, record.end, record.ongoing) == (_at(60), _at(100), False)
    scene.controls[:] = [_span(ControlAction.STOP, 60, 85)]
    assert scene.evaluate(end=300).abnormals == []


def test_two_adjacent_spans_of_one_stop_order_make_one_record(scene: Any) -> None:
    _kiln(scene)
    scene.power("kiln-p", [(300, 80.0)])
    scene.controls += [_span(ControlAction.STOP, 60, 80), _span(ControlAction.STOP, 80, 120, period_start=60)]
    (record,) = scene.evaluate(end=300).abnormals
    assert (record.start, record.end) == (_at(60), _at(120))


def test_a_stopped_facility_in_a_stop_order_is_fine(scene: Any) -> None:
    _kiln(scene)
    scene.power("kiln-p", [(300, 3.0)])
    scene.controls.append(_span(ControlAction.STOP, 0, 300))
    assert scene.evaluate(end=300).abnormals == []


def test_running_inside_a_forbidden_window_for_30_minutes_is_an_off_peak_violation(scene: Any) -> None:
    """Window 10:00-11:00 CST = minutes 120-180 after T0 (08:00 CST). The kiln runs 08:00-10:40."""
    _kiln(scene)
    scene.power("kiln-p", [(160, 80.0), (140, 2.0)])
    scene.controls.append(_span(ControlAction.OFF_PEAK, 0, 300, windows=(Window("10:00", "11:00"),)))
    (record,) = scene.evaluate(end=300).abnormals
    assert record.type is AbnormalType.OFF_PEAK and (record.start, record.end) == (_at(120), _at(160))
    assert "10:00-11:00" in record.remark


def test_off_peak_window_crossing_midnight(scene: Any) -> None:
    """Window 22:00-06:00 CST: minutes 840-1320 after T0. Running 20:00-23:00 CST: 60 minutes inside."""
    _kiln(scene)
    scene.power("kiln-p", [(720, 2.0), (180, 80.0), (540, 2.0)])
    scene.controls.append(_span(ControlAction.OFF_PEAK, 0, 1440, windows=(Window("22:00", "06:00"),)))
    (record,) = scene.evaluate(end=1440).abnormals
    assert (record.start, record.end) == (_at(840), _at(900))


def _baseline_days(scene: Any, days: int, kw: float) -> None:
    """Normal production at `kw` on the `days` days before T0, then the period's own data after it."""
    scene.power("kiln-p", [(days * 1440, kw)], start=-days * 1440, interval=5)


@pytest.mark.parametrize(("running_kw", "expected"), [(80.0, 1), (50.0, 1), (40.0, 0), (30.0, 0)])
def test_limit_to_half_of_normal(scene: Any, running_kw: float, expected: int) -> None:
    """Normal 80 kW; limited to 50% (+10% tolerance → 44 kW). 50 kW or more is a violation; 40 kW is fine."""
    _kiln(scene)
    _baseline_days(scene, 14, 80.0)
    scene.power("kiln-p", [(480, running_kw)], interval=5, extend=True)
    scene.controls.append(_span(ControlAction.LIMIT, 0, 480, limit_share=0.5))
    records = [r for r in scene.evaluate(end=480, horizon=480).abnormals if r.type is AbnormalType.LIMIT]
    assert len(records) == expected
    if records:
        (record,) = records
        assert record.start == _at(60) and record.limit_ratio == pytest.approx(running_kw / 80.0, rel=0.02)
        assert "限产" in record.remark


def test_limit_without_normal_days_before_is_not_judged(scene: Any) -> None:
    _kiln(scene)
    scene.power("kiln-p", [(480, 80.0)], interval=5)
    scene.controls.append(_span(ControlAction.LIMIT, 0, 480, limit_share=0.5))
    assert scene.evaluate(end=480).abnormals == []


def test_a_plan_changed_from_limit_to_stop_mid_period_judges_each_hour_by_its_own_plan(scene: Any) -> None:
    """Normal 80 kW. The period begins at 0; the plan limits the kiln to 50 % until 180, then orders it to stop.
    The kiln runs at 80 kW throughout: a limit violation from the first judged hour to the revision, then a
    stop violation from the revision on."""
    _kiln(scene)
    _baseline_days(scene, 14, 80.0)
    scene.power("kiln-p", [(300, 80.0)], interval=5, extend=True)
    scene.controls += [
        _span(ControlAction.LIMIT, 0, 180, limit_share=0.5),
        _span(ControlAction.STOP, 180, 300, period_start=0),
    ]
    records = scene.evaluate(end=300, horizon=300).abnormals
    summary = sorted((r.type, r.start, r.end) for r in records)
    assert summary == [(AbnormalType.LIMIT, _at(60), _at(180)), (AbnormalType.STOP, _at(180), _at(300))]
    (limit,) = [r for r in records if r.type is AbnormalType.LIMIT]
    assert "50%" in limit.remark and not limit.ongoing


def test_a_revised_share_never_restarts_the_count_since_the_period_began(scene: Any) -> None:
    """Normal 80 kW; limit 50 % until 180, then the plan allows 60 %. The kiln ran flat out (80 kW) for three
    hours, then at 30 kW. Counted from the period start it is still over the new bar (60 % + 10 %) until about
    395 min; counted from the revision it would look fine. One record, across the revision."""
    _kiln(scene)
    _baseline_days(scene, 14, 80.0)
    scene.power("kiln-p", [(180, 80.0), (300, 30.0)], interval=5, extend=True)
    scene.controls += [
        _span(ControlAction.LIMIT, 0, 180, limit_share=0.5),
        _span(ControlAction.LIMIT, 180, 480, limit_share=0.6, period_start=0),
    ]
    (record,) = [r for r in scene.evaluate(end=480, horizon=480).abnormals if r.type is AbnormalType.LIMIT]
    assert record.start == _at(60)
    assert _at(390) <= record.end <= _at(400)
    assert "60%" in record.remark
