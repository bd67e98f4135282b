"""The simulator's ground truth (`fbjd simulate --ground-truth`) against what its own meters report: every
stretch it lists is in the minute data as "production above threshold, treatment group below" for at least
15 min, and every such stretch of the minute data is listed, so a record the rules make or miss is the rules'
doing. Plants are stepped directly (no TCP): the minute records are what a terminal would send."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from fbjd_core.time import CST
from fbjd_infra.simulators.plant import VIOLATION_GAP_S, Plant, PlantSpec, Schedule
from fbjd_infra.simulators.registry_fleet import fleet_from_registry
from fbjd_infra.simulators.truth import ground_truth

WEDNESDAY_0000 = datetime(2026, 3, 4, 0, 0, tzinfo=CST).timestamp()
MINUTE = 60.0


def _point(
    point_id: str,
    role: str,
    facility: str | None,
    code: str,
    rated: float,
    *,
    threshold: float | None = -1.0,
    group: str | None = None,
    links: Sequence[str] = (),
) -> dict[str, Any]:
    """A point as `GET /api/registry/devices` lists it (threshold -1: the demo's 12 % of rated power)."""
    return {
        "point_id": point_id,
        "name": point_id,
        "role": role,
        "factor_code": code,
        "rated_kw": rated,
        "threshold_kw": max(0.5, round(rated * 0.24) / 2) if threshold == -1.0 else threshold,
        "standby_group": group,
        "facility": None if facility is None else {"id": facility, "name": facility, "kind": "production"},
        "linked_facilities": [{"id": t, "name": t, "kind": "treatment"} for t in links],
    }


def _device(mn: str, points: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mn": mn,
        "ps_id": f"ps-{mn}",
        "enterprise_name": f"企业{mn}",
        "county_code": "130902",
        "factor_profile": "hj212-2025-electric",
        "demo_password": "123456",
        "points": points,
    }


def _kilns_sharing_treatment(mn: str) -> dict[str, Any]:
    """Two kilns on one desulfurization tower (circulation pumps main/standby, plus an oxidation fan) and each
    on its own dust collector: production facilities with several links, a treatment facility with two
    required groups, one of them main/standby."""
    return _device(
        mn,
        [
            _point("kiln1", "production", "1#窑", "d20501", 400, links=("脱硫塔", "1#除尘器")),
            _point("kiln2", "production", "2#窑", "d20502", 400, links=("脱硫塔", "2#除尘器")),
            _point("pump", "treatment", "脱硫塔", "d30501", 110, group="循环泵"),
            _point("pump-standby", "treatment", "脱硫塔", "d30502", 110, group="循环泵"),
            _point("oxidation", "treatment", "脱硫塔", "d30503", 45),
            _point("dust1", "treatment", "1#除尘器", "d30504", 90),
            _point("dust2", "treatment", "2#除尘器", "d30505", 90),
            _point("total", "total_line", None, "d20503", 1500),
        ],
    )


def _minutes(plant: Plant, start: float, end: float) -> list[tuple[float, dict[str, float]]]:
    """What the terminal reports: each minute's average power per meter (the plant begins at `start`)."""
    plant.catch_up(start)
    out = []
    for t in itertools.takewhile(lambda t: t < end, itertools.count(start, MINUTE)):
        record = plant.close_period(t, t + MINUTE)
        out.append((t, {key: meter.p_avg for key, meter in record.meters.items()}))
    return out


def _seen(device: Mapping[str, Any], minutes: list[tuple[float, dict[str, float]]]) -> set[tuple[Any, ...]]:
    """Stretches of ≥ 15 min the minute data show: (production, treatment, group, start, end), by thresholds."""
    points = device["points"]
    by_facility: dict[str, list[dict[str, Any]]] = {}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in points:
        if p["role"] == "production":
            by_facility.setdefault(p["facility"]["id"], []).append(p)
        elif p["role"] == "treatment":
            groups.setdefault((p["facility"]["id"], p["standby_group"] or p["point_id"]), []).append(p)
    found: set[tuple[Any, ...]] = set()
    for production, producers in by_facility.items():
        for link in {t["id"] for p in producers for t in p["linked_facilities"]}:
            for (treatment, group), members in groups.items():
                if treatment != link:
                    continue
                flags = [
                    any(v[p["point_id"]] > p["threshold_kw"] for p in producers)
                    and all(v[m["point_id"]] <= m["threshold_kw"] for m in members)
                    for _, v in minutes
                ]
                t0 = minutes[0][0]
                index = 0
                for abnormal, run in itertools.groupby(flags):
                    length = len(list(run))
                    if abnormal and length >= 15:
                        start = t0 + index * MINUTE
                        found.add((production, treatment, group, start, start + length * MINUTE))
                    index += length
    return found


def _listed(truth: Mapping[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (
            v["production_facility_id"],
            v["treatment_facility_id"],
            v["group"],
            datetime.fromisoformat(v["start"]).timestamp(),
            datetime.fromisoformat(v["end"]).timestamp(),
        )
        for v in truth["violations"]
    }


def _unmatched(
    a: set[tuple[Any, ...]], b: set[tuple[Any, ...]], slack_s: float = MINUTE
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Stretches of `a` and of `b` without a partner on the other side: same subject, start and end within
    `slack_s` (the minute a switch falls in may go either way)."""
    left, right = sorted(a), sorted(b)
    for x in list(left):
        partner = next(
            (y for y in right if x[:3] == y[:3] and abs(x[3] - y[3]) <= slack_s and abs(x[4] - y[4]) <= slack_s),
            None,
        )
        if partner is not None:
            left.remove(x)
            right.remove(partner)
    return left, right


@pytest.mark.parametrize("schedule", [Schedule.CONTINUOUS, Schedule.TWO_SHIFT, Schedule.DAY, Schedule.NIGHT])
def test_every_stretch_of_the_truth_is_in_the_minute_data_and_every_one_there_is_in_the_truth(
    schedule: Schedule,
) -> None:
    """24 violations a day for two days, with standby switchovers and shift starts and stops around them."""
    device = _kilns_sharing_treatment("A1")
    spec = fleet_from_registry([device], violations_per_day=24.0)[0]
    plant = Plant(dataclasses.replace(spec.plant, schedule=schedule, switchovers_per_day=3.0))
    start = WEDNESDAY_0000 + 7 * 3600 + 1234  # mid-minute and mid-morning: data begins inside some violation
    start -= start % MINUTE
    end = start + 2 * 86400
    minutes = _minutes(plant, start, end)
    truth = ground_truth([device], {"A1": plant}, start, end)
    listed, seen = _listed(truth), _seen(device, minutes)
    assert len(listed) >= 20, "violations were injected and lie in production time"
    only_listed, only_seen = _unmatched(listed, seen)
    assert not only_listed and not only_seen, (
        f"listed, not in the data: {only_listed}; in the data, not listed: {only_seen}"
    )


def test_drawn_violations_never_overlap_and_keep_ten_minutes_apart() -> None:
    """A plant's violations do not run into each other: two that nearly touch would leave the fan off but for
    seconds, one stretch or two depending on where in a minute the restart falls."""
    device = _kilns_sharing_treatment("A2")
    spec: PlantSpec = fleet_from_registry([device], violations_per_day=48.0)[0].plant
    plant = Plant(dataclasses.replace(spec, schedule=Schedule.CONTINUOUS))
    drawn = 0
    for day in range(60):
        first, _ = plant._days_around(WEDNESDAY_0000 + day * 86400 + 86400)  # noqa: SLF001 - the drawn schedule
        violations = first.violations
        drawn += len(violations)
        for a, b in violations:
            assert 20 * MINUTE <= b - a <= 40 * MINUTE
        for (_a1, b1), (a2, _b2) in itertools.pairwise(sorted(violations)):
            assert a2 - b1 >= VIOLATION_GAP_S
    assert drawn >= 60 * 20, "the rate is kept where there is room"


def test_a_violation_under_way_when_the_plant_begins_to_report_is_left_out() -> None:
    """Its tail would be all the data show: shorter than it was, maybe shorter than the judgement time."""
    device = _kilns_sharing_treatment("A3")
    spec = dataclasses.replace(
        fleet_from_registry([device], violations_per_day=12.0)[0].plant, schedule=Schedule.CONTINUOUS
    )
    probe = Plant(spec)
    day, _ = probe._days_around(WEDNESDAY_0000 + 86400)  # noqa: SLF001 - the drawn schedule of 2026-03-04
    (a, b), (c, d) = day.violations[:2]
    plant = Plant(spec)
    began = a + 5 * MINUTE
    plant.catch_up(began)
    assert not plant.violation(began) and not plant.violation(b - MINUTE)
    assert plant.violation(c + MINUTE) and plant.violation(d - MINUTE), "one that begins later is kept"
    truth = ground_truth([device], {"A3": plant}, began, d + 3600)
    starts = {datetime.fromisoformat(v["start"]).timestamp() for v in truth["violations"]}
    assert starts and min(starts) >= c


def test_the_truth_counts_what_the_registry_lets_the_rules_judge() -> None:
    """Per production facility and required group of each linked treatment facility: main and standby count
    once; an integrated (产治一体) point, a point without a threshold, a group this device lacks, never."""
    device = _device(
        "A4",
        [
            _point("line", "production", "生产线", "d20501", 200, links=("除尘器", "喷淋塔", "RTO")),
            _point("line-aux", "production", "生产线", "d20502", 30, threshold=None, links=("除尘器", "喷淋塔", "RTO")),
            _point("oven", "integrated", "烘干一体机", "d20503", 60, links=("除尘器",)),
            _point("fan", "treatment", "除尘器", "d30501", 55, group="风机"),
            _point("fan-standby", "treatment", "除尘器", "d30502", 55, group="风机"),
            _point("pump", "treatment", "除尘器", "d30503", 11),
            _point("spray", "treatment", "喷淋塔", "d30504", 15, threshold=None),
        ],
    )
    spec = dataclasses.replace(
        fleet_from_registry([device], violations_per_day=24.0)[0].plant, schedule=Schedule.CONTINUOUS
    )
    plant = Plant(spec)
    start = WEDNESDAY_0000
    _minutes(plant, start, start + 86400)
    truth = ground_truth([device], {"A4": plant}, start, start + 86400)
    pairs = {(v["production_facility_id"], v["treatment_facility_id"], v["group"]) for v in truth["violations"]}
    assert pairs == {("生产线", "除尘器", "风机"), ("生产线", "除尘器", "pump")}
    assert truth["enterprises"] == ["ps-A4"]
    stretches = {(v["start"], v["end"]) for v in truth["violations"]}
    assert len(truth["violations"]) == 2 * len(stretches) and len(stretches) >= 10
    assert timedelta(minutes=15) <= min(datetime.fromisoformat(e) - datetime.fromisoformat(s) for s, e in stretches)


def test_a_point_with_its_own_judgement_time_lists_only_stretches_that_reach_it() -> None:
    """The pump is judged after 30 min (its own judgement_minutes in the registry), the fans after the default
    15: violations of 20 to 40 min are all listed for the fans' group, only those of 30 min or more for the pump."""
    pump = _point("pump", "treatment", "除尘器", "d30503", 11)
    pump["judgement_minutes"] = 30
    fan = _point("fan", "treatment", "除尘器", "d30501", 55, group="风机")
    fan["judgement_minutes"] = None
    device = _device(
        "A5",
        [
            _point("line", "production", "生产线", "d20501", 200, links=("除尘器",)),
            fan,
            _point("fan-standby", "treatment", "除尘器", "d30502", 55, group="风机"),
            pump,
        ],
    )
    spec = dataclasses.replace(
        fleet_from_registry([device], violations_per_day=24.0)[0].plant, schedule=Schedule.CONTINUOUS
    )
    plant = Plant(spec)
    start = WEDNESDAY_0000
    _minutes(plant, start, start + 86400)
    truth = ground_truth([device], {"A5": plant}, start, start + 86400)

    def lengths(group: str) -> list[timedelta]:
        return [
            datetime.fromisoformat(v["end"]) - datetime.fromisoformat(v["start"])
            for v in truth["violations"]
            if v["group"] == group
        ]

    fans, pumps = lengths("风机"), lengths("pump")
    assert min(fans) < timedelta(minutes=30) <= min(pumps), "the fans' short stretches are not the pump's"
    assert len(pumps) == sum(1 for length in fans if length >= timedelta(minutes=30)) >= 3
