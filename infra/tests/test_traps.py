"""The simulator's traps (`fbjd simulate --trap-rate`): situations that look like a violation to a careless
judge but are none — the standby fan taking over from the main one, treatment off for 14 min, a fan running just
above its threshold, a terminal resending what it measured while offline. Each is in the minute data as
described and in the ground truth as a trap, with its kind and span; none makes a stretch of ≥ 15 min."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from fbjd_infra.simulators.clock import SimClock
from fbjd_infra.simulators.plant import VIOLATION_GAP_S, Plant, Schedule, TrapKind
from fbjd_infra.simulators.registry_fleet import fleet_from_registry
from fbjd_infra.simulators.terminal import Terminal
from fbjd_infra.simulators.truth import ground_truth

from .test_truth import (
    MINUTE,
    WEDNESDAY_0000,
    _device,
    _kilns_sharing_treatment,
    _listed,
    _minutes,
    _point,
    _seen,
    _unmatched,
)

DAY = 86400.0


def _plant(device: dict[str, Any], *, traps: float = 12.0, violations: float = 0.0) -> Plant:
    spec = fleet_from_registry([device], violations_per_day=violations, traps_per_day=traps)[0].plant
    return Plant(dataclasses.replace(spec, schedule=Schedule.CONTINUOUS, switchovers_per_day=0.0))


def _day_of(device: dict[str, Any], plant: Plant) -> tuple[list[tuple[float, dict[str, float]]], dict[str, Any]]:
    """A day of minute data from Wednesday 00:00 and its truth."""
    start = WEDNESDAY_0000
    minutes = _minutes(plant, start, start + DAY)
    return minutes, ground_truth([device], {device["mn"]: plant}, start, start + DAY)


def _span(trap: Mapping[str, Any]) -> tuple[float, float]:
    return datetime.fromisoformat(trap["start"]).timestamp(), datetime.fromisoformat(trap["end"]).timestamp()


def _inside(minutes: list[tuple[float, dict[str, float]]], a: float, b: float) -> list[dict[str, float]]:
    """The minutes wholly inside [a, b) but the first and last (the fans ramp there)."""
    return [v for t, v in minutes if a + MINUTE <= t and t + 2 * MINUTE <= b]


def _threshold(device: dict[str, Any], point_id: str) -> float:
    return float(next(p["threshold_kw"] for p in device["points"] if p["point_id"] == point_id))


def _longest(flags: list[bool]) -> int:
    return max((len(list(run)) for flag, run in itertools.groupby(flags) if flag), default=0)


def _of_kind(truth: Mapping[str, Any], kind: TrapKind) -> list[dict[str, Any]]:
    return [t for t in truth["traps"] if t["kind"] == kind.value]


def test_standby_switching_the_standby_fan_takes_over_and_no_stretch_of_both_off_reaches_fifteen_minutes() -> None:
    device = _kilns_sharing_treatment("T1")
    plant = _plant(device)
    minutes, truth = _day_of(device, plant)
    switches = _of_kind(truth, TrapKind.STANDBY_SWITCHING)
    assert len(switches) >= 5, "the rate is kept where the group has a standby fan"
    main_t, standby_t = _threshold(device, "pump"), _threshold(device, "pump-standby")
    for trap in switches:
        assert (trap["ps_id"], trap["treatment_facility_id"], trap["group"], trap["point_id"]) == (
            "ps-T1",
            "脱硫塔",
            "循环泵",
            "pump",
        )
        a, b = _span(trap)
        assert 20 * MINUTE <= b - a <= 60 * MINUTE
        inside = _inside(minutes, a + 180, b - 180)  # after the handover, before the handback (≤ 3 min each)
        assert inside and all(v["pump"] <= main_t < v["pump-standby"] for v in inside), trap
        during = [v for t, v in minutes if a - MINUTE <= t < b + MINUTE]
        assert _longest([v["pump"] <= main_t and v["pump-standby"] <= standby_t for v in during]) <= 4
    assert not truth["violations"]


def test_a_fourteen_minute_treatment_off_while_production_runs_is_fourteen_minutes_at_most() -> None:
    device = _kilns_sharing_treatment("T2")
    minutes, truth = _day_of(device, _plant(device))
    offs = _of_kind(truth, TrapKind.SHORT_OFF)
    assert len(offs) >= 5
    fans = ("pump", "pump-standby", "oxidation", "dust1", "dust2")
    thresholds = {p["point_id"]: p["threshold_kw"] for p in device["points"]}
    for trap in offs:
        assert trap["ps_id"] == "ps-T2" and "treatment_facility_id" not in trap
        a, b = _span(trap)
        assert b - a == 14 * MINUTE
        inside = _inside(minutes, a, b)
        assert len(inside) >= 11 and all(
            v["kiln1"] > thresholds["kiln1"] and all(v[f] <= thresholds[f] for f in fans) for v in inside
        ), trap
        around = [
            all(v[f] <= thresholds[f] for f in ("oxidation", "dust1")) for t, v in minutes if a - 300 <= t < b + 300
        ]
        assert 12 <= _longest(around) <= 14, "off for all but the minutes the fans ramp in, never fifteen"
    assert not truth["violations"]


def test_a_fan_straddling_its_threshold_stays_above_it_while_production_runs() -> None:
    device = _kilns_sharing_treatment("T3")
    minutes, truth = _day_of(device, _plant(device))
    straddles = _of_kind(truth, TrapKind.THRESHOLD_STRADDLE)
    assert len(straddles) >= 5
    for trap in straddles:
        point = trap["point_id"]
        threshold = _threshold(device, point)
        a, b = _span(trap)
        inside = _inside(minutes, a + 120, b)  # the fan takes a minute or two to come down from its running draw
        ratios = [v[point] / threshold for v in inside]
        assert ratios and min(ratios) > 1.0 and max(ratios) < 1.35, (trap, min(ratios), max(ratios))
        assert min(ratios) < 1.15 and max(ratios) > 1.2, "it wanders"
        assert all(v["kiln1"] > _threshold(device, "kiln1") for v in inside)
        assert trap["treatment_facility_id"] == next(
            p["facility"]["id"] for p in device["points"] if p["point_id"] == point
        )
    assert not truth["violations"]


def test_traps_keep_ten_minutes_from_the_violations_and_from_each_other() -> None:
    device = _kilns_sharing_treatment("T4")
    plant = _plant(device, traps=8.0, violations=12.0)
    kinds: set[TrapKind] = set()
    for day in range(30):
        first, _ = plant._days_around(WEDNESDAY_0000 + day * DAY + DAY)  # noqa: SLF001 - the drawn schedule
        spans = sorted([*first.violations, *((t.start, t.end) for t in first.traps)])
        kinds |= {t.kind for t in first.traps}
        for (_a1, b1), (a2, _b2) in itertools.pairwise(spans):
            assert a2 - b1 >= VIOLATION_GAP_S
    assert kinds == {TrapKind.SHORT_OFF, TrapKind.STANDBY_SWITCHING, TrapKind.THRESHOLD_STRADDLE}


def test_only_the_traps_the_registry_topology_allows() -> None:
    """No standby group: no standby switching; no production point: no trap of a plant at all."""
    lone = _device(
        "T5",
        [
            _point("line", "production", "生产线", "d20501", 200, links=("除尘器",)),
            _point("fan", "treatment", "除尘器", "d30501", 55),
        ],
    )
    _, truth = _day_of(lone, _plant(lone))
    assert {t["kind"] for t in truth["traps"]} == {"short_off", "threshold_straddle"}
    no_production = _device("T6", [_point("fan", "treatment", "除尘器", "d30501", 55)])
    _, truth = _day_of(no_production, _plant(no_production))
    assert truth["traps"] == []


def test_without_a_trap_rate_there_are_no_traps_and_the_violations_stay_the_same() -> None:
    device = _kilns_sharing_treatment("T7")
    _, with_traps = _day_of(device, _plant(device, traps=6.0, violations=12.0))
    _, without = _day_of(device, _plant(device, traps=0.0, violations=12.0))
    assert without["traps"] == [] and with_traps["traps"]
    assert with_traps["violations"] == without["violations"]


def test_a_resent_history_is_marked_as_a_resend_burst_and_its_violations_are_listed_once() -> None:
    device = _kilns_sharing_treatment("T8")
    spec = fleet_from_registry([device], violations_per_day=24.0)[0]
    spec = dataclasses.replace(spec, plant=dataclasses.replace(spec.plant, schedule=Schedule.CONTINUOUS))
    terminal = Terminal(spec, host="127.0.0.1", port=9, clock=SimClock(speed=1.0))
    terminal.backfill(4 * 3600.0)
    start, end = terminal.bursts[0]
    assert end - start == 4 * 3600.0
    truth = ground_truth([device], {"T8": terminal.plant}, start, end, bursts={"T8": terminal.bursts})
    assert _of_kind(truth, TrapKind.RESEND_BURST) == [
        {"kind": "resend_burst", "ps_id": "ps-T8", "start": truth["from"], "end": truth["to"]}
    ]
    keys = [tuple(sorted(v.items())) for v in truth["violations"]]
    assert len(keys) >= 3 and len(set(keys)) == len(keys)
    assert all(start <= _span(v)[0] and _span(v)[1] <= end for v in truth["violations"])


@pytest.mark.parametrize("schedule", [Schedule.CONTINUOUS, Schedule.TWO_SHIFT, Schedule.DAY, Schedule.NIGHT])
def test_with_traps_among_the_violations_the_minute_data_show_the_violations_and_nothing_more(
    schedule: Schedule,
) -> None:
    """Two days, 6 violations and 8 traps of each kind a day (with standby switchovers too): every stretch of
    ≥ 15 min the thresholds show is a listed violation; no trap makes one."""
    device = _kilns_sharing_treatment("T9")
    spec = fleet_from_registry([device], violations_per_day=6.0, traps_per_day=8.0)[0].plant
    plant = Plant(dataclasses.replace(spec, schedule=schedule, switchovers_per_day=3.0))
    start = WEDNESDAY_0000 + 7 * 3600
    end = start + 2 * DAY
    minutes = _minutes(plant, start, end)
    truth = ground_truth([device], {"T9": plant}, start, end)
    assert {t["kind"] for t in truth["traps"]} == {"short_off", "standby_switching", "threshold_straddle"}
    assert len(truth["traps"]) >= 5 and truth["violations"]
    only_listed, only_seen = _unmatched(_listed(truth), _seen(device, minutes))
    assert not only_listed and not only_seen, f"listed, not in the data: {only_listed}; not listed: {only_seen}"


def test_a_network_outage_is_marked_as_a_resend_burst_of_its_length() -> None:
    """What the terminal measures while offline goes out as a burst once it is back: the truth marks the window."""
    device = _kilns_sharing_treatment("T10")
    terminal = Terminal(fleet_from_registry([device])[0], host="127.0.0.1", port=9, clock=SimClock(speed=1.0))
    began = terminal.clock.timestamp()
    asyncio.run(terminal.outage(20 * MINUTE))
    ((a, b),) = terminal.bursts
    assert began <= a < began + 5 and b - a == 20 * MINUTE and terminal.in_outage
    terminal.plant.catch_up(a - 3600)
    truth = ground_truth([device], {"T10": terminal.plant}, a - 3600, b + 3600, bursts={"T10": terminal.bursts})
    (burst,) = _of_kind(truth, TrapKind.RESEND_BURST)
    assert _span(burst) == pytest.approx((a, b))
