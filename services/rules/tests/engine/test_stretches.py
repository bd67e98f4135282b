"""Rule 1's stretches as an audit reads them (the province's review, 附件4 §4 (1)): the same judgement as the
records, with the near misses and the stretches the data cannot decide, on hand-built series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_rules.engine import EvaluationInput, RuleParams, stretches

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def kiln_with_dust_collector(scene: Any, **fan: Any) -> None:
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln", threshold_kw=20.0)
    scene.point("bag-fan", "bag", "treatment", threshold_kw=5.0, **fan)
    scene.link("kiln", "bag")


def judged(scene: Any, start: float = 0, end: float = 120) -> list[tuple[str, datetime, datetime, int]]:
    if not scene.versions:
        scene.freeze()
    data = EvaluationInput(
        scene.ps_id, _at(start), _at(end), _at(end), list(scene.versions), dict(scene.series), (), RuleParams()
    )
    return [(s.kind, s.start, s.end, s.minutes) for s in stretches(data).stretches]


def test_production_on_treatment_off_for_16_min_is_one_abnormal_stretch_with_the_records_identity(
    scene: Any,
) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (16, 1.0), (74, 30.0)])
    assert judged(scene) == [("abnormal", _at(30), _at(46), 16)]
    (record,) = scene.evaluate(end=120).abnormals
    (stretch,) = stretches(
        EvaluationInput(scene.ps_id, _at(0), _at(120), _at(120), scene.versions, scene.series)
    ).stretches
    assert (stretch.start, stretch.end, stretch.treatment_point_id, stretch.judgement_minutes) == (
        record.start,
        record.end,
        record.treatment_point_id,
        15,
    )
    assert stretch.treatment_point_ids == record.treatment_point_ids == ("bag-fan",)


def test_production_on_treatment_off_for_10_min_is_one_short_stretch_and_no_record(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (10, 1.0), (80, 30.0)])
    assert judged(scene) == [("short", _at(30), _at(40), 10)]
    assert scene.evaluate(end=120).abnormals == []


def test_treatment_silent_30_min_while_production_runs_is_one_unknown_stretch(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (30, 30.0), (60, 30.0)], skip=tuple(range(30, 60)))
    assert judged(scene) == [("unknown", _at(30), _at(60), 30)]
    assert scene.evaluate(end=120).abnormals == []


def test_a_treatment_whose_points_never_sent_data_is_unknown_while_production_runs(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(20, 1.0), (100, 80.0)])
    assert judged(scene) == [("unknown", _at(20), _at(120), 100)]


def test_a_missing_sample_inside_an_abnormal_is_bridged_not_unknown(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 80.0)], interval=5)
    scene.power("bag-fan", [(30, 30.0), (40, 1.0), (50, 30.0)], interval=5, skip=(45,))
    assert judged(scene) == [("abnormal", _at(30), _at(70), 40)]


def test_production_off_while_the_treatment_is_silent_is_nothing(scene: Any) -> None:
    kiln_with_dust_collector(scene)
    scene.power("kiln-p", [(120, 3.0)])
    scene.power("bag-fan", [(30, 30.0)])
    assert judged(scene) == []


def test_standby_switching_is_no_stretch_at_all(scene: Any) -> None:
    scene.facility("kiln")
    scene.facility("bag", "treatment")
    scene.point("kiln-p", "kiln", threshold_kw=20.0)
    scene.point("main", "bag", "treatment", threshold_kw=5.0, standby_group="fan")
    scene.point("standby", "bag", "treatment", threshold_kw=5.0, standby_group="fan")
    scene.link("kiln", "bag")
    scene.power("kiln-p", [(120, 80.0)])
    scene.power("main", [(30, 30.0), (40, 0.5), (50, 30.0)])
    scene.power("standby", [(30, 0.5), (40, 30.0), (50, 0.5)])
    assert judged(scene) == []


def test_the_records_of_a_day_are_exactly_its_abnormal_stretches(scene: Any) -> None:
    kiln_with_dust_collector(scene, judgement_minutes=20)
    scene.power("kiln-p", [(600, 80.0)])
    scene.power("bag-fan", [(30, 30.0), (19, 1.0), (51, 30.0), (20, 1.0), (100, 30.0), (45, 1.0), (335, 30.0)])
    found = judged(scene, end=600)
    assert [(kind, minutes) for kind, _, _, minutes in found] == [("short", 19), ("abnormal", 20), ("abnormal", 45)]
    records = scene.evaluate(end=600).abnormals
    assert [(r.start, r.end) for r in records] == [(s, e) for kind, s, e, _ in found if kind == "abnormal"]
