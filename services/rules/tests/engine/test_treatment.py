"""Rule 1, treatment abnormal (治理设施异常), on hand-built series named after the bureau's cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_rules.engine import AbnormalType

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def kiln_with_dust_collector(scene: Any) -> None:
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln", threshold_kw=20.0)
    scene.point("bag-fan", "bag", "treatment", threshold_kw=5.0)
    scene.link("kiln", "bag")


def test_production_on_treatment_off_for_14_min_gives_nothing(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (14, 1.0), (76, 30.0)])
    assert scene.evaluate(end=120).abnormals == []


def test_production_on_treatment_off_for_15_min_gives_one_record(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (15, 1.0), (75, 30.0)])
    (record,) = scene.evaluate(end=120).abnormals
    assert record.type is AbnormalType.TREATMENT
    assert (record.start, record.end, record.duration_minutes) == (_at(30), _at(45), 15)
    assert (record.production_facility_id, record.treatment_facility_id, record.treatment_point_id) == (
        "kiln",
        "bag",
        "bag-fan",
    )
    assert record.treatment_point_ids == ("bag-fan",) and record.grade == "general" and not record.ongoing
    assert (record.production_threshold_kw, record.treatment_threshold_kw, record.judgement_minutes) == (20, 5, 15)
    assert "治理设施" in record.remark and "15分钟" in record.remark


def test_the_same_data_evaluated_twice_gives_the_same_record_id(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (20, 1.0), (70, 30.0)])
    first, second = scene.evaluate(end=120).abnormals, scene.evaluate(start=10, end=120).abnormals
    assert [r.id for r in first] == [r.id for r in second] and len(first) == 1


def test_production_off_means_no_abnormal_whatever_the_treatment_does(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 3.0)])
    scene.power("bag-fan", [(120, 0.5)])
    assert scene.evaluate(end=120).abnormals == []


def test_a_points_own_judgement_time_wins_over_the_default(scene: Any) -> None:
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln", threshold_kw=20.0)
    scene.point("bag-fan", "bag", "treatment", threshold_kw=5.0, judgement_minutes=30)
    scene.link("kiln", "bag")
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (20, 1.0), (10, 30.0), (30, 1.0), (30, 30.0)])
    (record,) = scene.evaluate(end=120).abnormals
    assert (record.start, record.duration_minutes, record.judgement_minutes) == (_at(60), 30, 30)


def test_standby_switching_is_not_an_abnormal(scene: Any) -> None:
    """Main fan stops, the standby fan (same standby group) takes over: the group keeps running."""
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln")
    scene.point("fan-a", "bag", "treatment", standby_group="引风机")
    scene.point("fan-b", "bag", "treatment", standby_group="引风机")
    scene.link("kiln", "bag")
    scene.power("kiln-p", [(240, 80.0)])
    scene.power("fan-a", [(60, 30.0), (120, 0.0), (60, 30.0)])
    scene.power("fan-b", [(58, 0.0), (124, 30.0), (58, 0.0)])
    assert scene.evaluate(end=240).abnormals == []


def test_main_and_standby_both_off_is_one_record_naming_both_points(scene: Any) -> None:
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln")
    scene.point("fan-a", "bag", "treatment", standby_group="引风机")
    scene.point("fan-b", "bag", "treatment", standby_group="引风机")
    scene.link("kiln", "bag")
    scene.power("kiln-p", [(240, 80.0)])
    scene.power("fan-a", [(60, 30.0), (180, 0.0)])
    scene.power("fan-b", [(60, 0.0), (20, 30.0), (70, 0.0), (90, 30.0)])
    (record,) = scene.evaluate(end=240).abnormals
    assert (record.start, record.end) == (_at(80), _at(150))
    assert record.treatment_point_id == "fan-a" and record.treatment_point_ids == ("fan-a", "fan-b")
    assert record.grade == "serious"


def test_two_kilns_sharing_one_denitrification_system(scene: Any) -> None:
    """One SCR serves two kilns: when it stops, each running kiln gets its own record; a stopped kiln none."""
    for kiln in ("kiln1", "kiln2", "kiln3"):
        scene.facility(kiln)
        scene.point(f"{kiln}-p", kiln)
    scene.facility("scr", "treatment")
    scene.point("scr-fan", "scr", "treatment")
    for kiln in ("kiln1", "kiln2", "kiln3"):
        scene.link(kiln, "scr")
    scene.power("kiln1-p", [(180, 80.0)])
    scene.power("kiln2-p", [(90, 0.0), (90, 80.0)])
    scene.power("kiln3-p", [(180, 0.0)])
    scene.power("scr-fan", [(60, 30.0), (60, 0.0), (60, 30.0)])
    records = scene.evaluate(end=180).abnormals
    summary = sorted((r.production_facility_id, r.start, r.end) for r in records)
    assert summary == [("kiln1", _at(60), _at(120)), ("kiln2", _at(90), _at(120))]
    assert len({r.id for r in records}) == 2


def test_a_treatment_facility_with_two_required_groups(scene: Any) -> None:
    """Fan and ash-cleaning compressor are both required: either off stops the facility; the record names it."""
    scene.facility("dryer")
    scene.facility("bag", "treatment")
    scene.point("dryer-p", "dryer")
    scene.point("bag-fan", "bag", "treatment")
    scene.point("bag-air", "bag", "treatment")
    scene.link("dryer", "bag")
    scene.power("dryer-p", [(180, 80.0)])
    scene.power("bag-fan", [(180, 30.0)])
    scene.power("bag-air", [(40, 30.0), (40, 0.0), (100, 30.0)])
    (record,) = scene.evaluate(end=180).abnormals
    assert (record.treatment_point_id, record.start, record.end) == ("bag-air", _at(40), _at(80))


def test_integrated_points_cannot_raise_a_treatment_abnormal(scene: Any) -> None:
    scene.facility("line")
    scene.facility("bag", "treatment")
    scene.point("line-integrated", "line", "integrated")
    scene.point("bag-fan", "bag", "treatment")
    scene.link("line", "bag")
    scene.power("line-integrated", [(120, 80.0)])
    scene.power("bag-fan", [(120, 0.0)])
    assert scene.evaluate(end=120).abnormals == []


def test_a_gap_of_one_interval_does_not_split_the_record(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(240, 80.0)], interval=5)
    scene.power("bag-fan", [(60, 30.0), (60, 1.0), (120, 30.0)], interval=5, skip=(90,))
    (record,) = scene.evaluate(end=240).abnormals
    assert (record.start, record.end) == (_at(60), _at(120))


def test_a_gap_longer_than_one_interval_splits_the_record(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(240, 80.0)], interval=5)
    scene.power("bag-fan", [(60, 30.0), (60, 1.0), (120, 30.0)], interval=5, skip=(85, 90))
    records = scene.evaluate(end=240).abnormals
    assert [(r.start, r.end) for r in records] == [(_at(60), _at(85)), (_at(95), _at(120))]


def test_flagged_data_is_not_taken_as_off(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (60, None), (30, 30.0)])
    assert scene.evaluate(end=120).abnormals == []


def test_a_threshold_changed_mid_week_does_not_rewrite_earlier_judgements(scene: Any) -> None:
    """The fan draws 8 kW all week. Threshold 5 kW until Wednesday (fan on), 10 kW after (fan off)."""
    kiln_with_dust_collector(scene)
    scene.freeze(T0 - timedelta(days=30))
    scene.points[1] = replace(scene.points[1], threshold_kw=10.0)
    scene.freeze(_at(2 * 1440))
    week = 4 * 1440
    scene.power("kiln-p", [(week, 80.0)], interval=5)
    scene.power("bag-fan", [(week, 8.0)], interval=5)
    (record,) = scene.evaluate(end=week, horizon=week + 10).abnormals
    assert record.start == _at(2 * 1440) and record.treatment_threshold_kw == 10.0
    assert record.grade == "grave" and record.ongoing


def test_a_stretch_running_into_the_end_of_the_data_is_ongoing(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(60, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (30, 1.0)])
    (record,) = scene.evaluate(end=60, horizon=62).abnormals
    assert record.ongoing and record.end == _at(60)
    (later,) = scene.evaluate(end=60, horizon=120).abnormals
    assert not later.ongoing and later.id == record.id


def test_late_data_extends_the_record_in_place(scene: Any) -> None:
    """Evaluated on the data up to minute 50, then again once the rest arrived: same id, end moved on."""
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(50, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (20, 1.0)])
    (early,) = scene.evaluate(end=50).abnormals
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (45, 1.0), (45, 30.0)])
    (late,) = scene.evaluate(end=120).abnormals
    assert late.id == early.id and (early.end, late.end) == (_at(50), _at(75))


def test_grades_by_duration(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(600, 80.0)])
    scene.power("bag-fan", [(10, 30.0), (59, 0.0), (11, 30.0), (60, 0.0), (10, 30.0), (240, 0.0), (210, 30.0)])
    grades = [(r.duration_minutes, r.grade) for r in scene.evaluate(end=600).abnormals]
    assert grades == [(59, "general"), (60, "serious"), (240, "grave")]


def test_a_stretch_at_the_window_start_is_reported_as_truncated(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(60, 0.0), (60, 30.0)])
    assert scene.evaluate(start=20, end=120).truncated
    assert not scene.evaluate(start=-30, end=120).truncated


def test_a_short_tail_at_the_window_start_still_asks_to_look_further_back(scene: Any) -> None:
    """Off from minute 20 to 45: a window starting at 40 sees 5 minutes only, but must not judge them alone."""
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(20, 30.0), (25, 1.0), (75, 30.0)])
    narrow = scene.evaluate(start=40, end=120)
    assert narrow.truncated and narrow.abnormals == []
    (record,) = scene.evaluate(start=0, end=120).abnormals
    assert (record.start, record.end) == (_at(20), _at(45))
