"""Rule 5, terminal power-off (数采仪断电) as the terminal reports it: CN 2081 power-on time after a silence, and
instrument status i12001 = 6 (power fault). Hand-built series."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from fbjd_rules.engine.terminal_power import (
    Restart,
    StatusSamples,
    power_fault_stretches,
    power_ons,
    restart_power_offs,
)
from fbjd_rules.readings.loader import hj212_time

T0 = 1_772_409_600  # 2026-03-02 08:00 CST
MN = "010000A8900016F000169DC0"


def minutes(n: int, start: int = T0) -> np.ndarray:
    return np.arange(start, start + n * 60, 60, dtype=np.int64)


def silent_for_50_minutes() -> np.ndarray:
    """Minute data 08:00–08:29, nothing from 08:30 to 09:19, data again from 09:20."""
    return np.concatenate([minutes(30), minutes(30, T0 + 80 * 60)])


def test_silent_50_min_then_2081_restart_time_gives_one_power_off_from_the_last_data_to_the_restart() -> None:
    restart = T0 + 80 * 60 - 30  # power back at 09:19:30, the 2081 sent a minute later
    (finding,) = restart_power_offs([Restart(MN, restart + 60, restart)], {MN: silent_for_50_minutes()})
    assert finding.kind == "terminal_power_off" and finding.point_id is None
    assert (finding.start, finding.end) == (T0 + 29 * 60, restart)
    assert finding.severity == "general" and finding.detail["restart_reported"] is True
    assert finding.detail["mn"] == MN and finding.detail["restart_at"] == restart


def test_without_restart_time_the_2081_data_time_stands_for_the_power_on() -> None:
    sent = T0 + 80 * 60 - 10
    (finding,) = restart_power_offs([Restart(MN, sent)], {MN: silent_for_50_minutes()})
    assert finding.end == sent and finding.detail["restart_reported"] is False


def test_a_resent_2081_is_the_same_power_on() -> None:
    restart = T0 + 79 * 60
    again = [Restart(MN, restart, restart), Restart(MN, restart + 50, restart), Restart(MN, restart + 40)]
    (finding,) = restart_power_offs(again, {MN: silent_for_50_minutes()})
    assert finding.end == restart
    assert power_ons(again, silent_for_50_minutes()) == [again[0]]


def test_the_minute_the_terminal_powered_on_in_is_after_the_silence() -> None:
    """Power back at 09:19:30; the minute record of 09:19 (DataTime = its start) reports the part after it."""
    restart = T0 + 79 * 60 + 30
    times = np.concatenate([minutes(30), minutes(10, T0 + 79 * 60)])
    (finding,) = restart_power_offs([Restart(MN, restart + 60, restart)], {MN: times})
    assert (finding.start, finding.end) == (T0 + 29 * 60, restart)


def test_two_power_ons_with_data_between_them_are_two_power_offs() -> None:
    times = np.concatenate([minutes(10), minutes(10, T0 + 30 * 60), minutes(10, T0 + 60 * 60)])
    first, second = T0 + 29 * 60, T0 + 59 * 60
    found = restart_power_offs([Restart(MN, first, first), Restart(MN, second, second)], {MN: times})
    assert [(f.start, f.end) for f in found] == [(T0 + 9 * 60, first), (T0 + 39 * 60, second)]


def test_a_reboot_between_two_samples_is_no_power_off() -> None:
    assert restart_power_offs([Restart(MN, T0 + 10 * 60 + 30)], {MN: minutes(30)}) == []


def test_a_power_on_with_no_data_before_it_is_not_reported() -> None:
    assert restart_power_offs([Restart(MN, T0)], {MN: minutes(30, T0 + 60)}) == []


def test_a_power_off_of_five_hours_is_grave() -> None:
    times = np.concatenate([minutes(10), minutes(10, T0 + 310 * 60)])
    (finding,) = restart_power_offs([Restart(MN, T0 + 310 * 60)], {MN: times})
    assert finding.severity == "grave"


def status(values: list[float], point: str | None = "p-fan") -> StatusSamples:
    return StatusSamples(point, MN, minutes(len(values)), np.asarray(values, dtype=np.float64))


def test_status_power_fault_for_20_min_gives_one_power_off_of_the_point_with_its_end() -> None:
    (finding,) = power_fault_stretches([status([0.0] * 10 + [6.0] * 20 + [0.0] * 10)], start=T0, end=T0 + 3600)
    assert finding.kind == "terminal_power_off" and finding.point_id == "p-fan"
    assert (finding.start, finding.end) == (T0 + 10 * 60, T0 + 30 * 60)
    assert finding.detail["source"] == "status" and finding.detail["ongoing"] is False


def test_status_power_fault_still_sent_is_ongoing_and_of_the_terminal_where_no_point_is_named() -> None:
    (finding,) = power_fault_stretches([status([0.0] * 5 + [6.0] * 5, point=None)], start=T0, end=T0 + 3600)
    assert finding.point_id is None and finding.end is None and finding.detail["ongoing"] is True


def test_other_statuses_and_unknown_values_are_no_power_fault() -> None:
    values = [0.0, 1.0, 2.0, float("nan"), 9.0, 10.0]
    assert power_fault_stretches([status(values)], start=T0, end=T0 + 3600) == []


def test_hj212_times_are_china_standard_time() -> None:
    assert hj212_time("20260302080000") == T0
    assert hj212_time("20260302080000123") == T0
    assert hj212_time("not a time") is None and hj212_time(None) is None
    assert datetime.fromtimestamp(T0, UTC).hour == 0
