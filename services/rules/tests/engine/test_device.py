"""Rule 5, device and data: power-off / power-on, stuck values, transmission rate, clock skew (hand-built series)."""

from __future__ import annotations

import numpy as np
from fbjd_rules.engine.device import (
    DeviceSamples,
    clock_skew,
    device_findings,
    power_outages,
    stuck_stretches,
    transmission_findings,
    transmission_rate,
)
from fbjd_rules.engine.params import RuleParams

T0 = 1_772_409_600  # 2026-03-02 08:00 CST
DAY = 86_400


def minutes(n: int, start: int = T0) -> np.ndarray:
    return np.arange(start, start + n * 60, 60, dtype=np.int64)


def steps(*parts: tuple[int, float]) -> np.ndarray:
    return np.concatenate([np.full(n, v, dtype=np.float64) for n, v in parts])


def samples(point: str, quantity: str, values: np.ndarray, *, code: str = "c", ahead_s: int = 0) -> DeviceSamples:
    times = minutes(values.shape[0])
    return DeviceSamples(point, "MN1", quantity, code, "2051", times, values, times - ahead_s + 30)


def moving(n: int) -> np.ndarray:
    return 50.0 + np.arange(n, dtype=np.float64) % 7


# power-off / power-on


def test_voltage_lost_for_20_min_gives_one_power_off_finding_with_its_end() -> None:
    voltage = steps((30, 220.0), (20, 0.0), (30, 221.0))
    (outage,) = power_outages(minutes(80), voltage)
    assert (outage.start, outage.end, outage.truncated) == (T0 + 30 * 60, T0 + 50 * 60, False)


def test_voltage_still_lost_at_the_last_sample_is_an_open_power_off() -> None:
    (outage,) = power_outages(minutes(60), steps((30, 220.0), (30, 0.4)))
    assert outage.start == T0 + 30 * 60 and outage.end is None


def test_two_outages_give_two_power_off_findings() -> None:
    voltage = steps((10, 220.0), (5, 0.0), (10, 220.0), (5, 0.0), (10, 220.0))
    assert [(o.start - T0) // 60 for o in power_outages(minutes(40), voltage)] == [10, 25]


def test_a_single_zero_voltage_sample_is_a_spike_not_a_power_off() -> None:
    assert power_outages(minutes(21), steps((10, 220.0), (1, 0.0), (10, 220.0))) == []


def test_voltage_lost_from_the_first_sample_is_reported_truncated() -> None:
    (outage,) = power_outages(minutes(30), steps((10, 0.0), (20, 220.0)))
    assert outage.truncated and outage.end == T0 + 10 * 60


def test_flagged_voltage_samples_are_unknown_not_a_power_off() -> None:
    assert power_outages(minutes(30), steps((10, 220.0), (10, np.nan), (10, 220.0))) == []


def test_power_off_finding_is_graded_by_its_duration() -> None:
    voltage = steps((30, 220.0), (90, 0.0), (30, 220.0))
    (finding,) = device_findings([samples("p1", "voltage_v", voltage)], start=T0, end=T0 + DAY)
    assert finding.kind == "power_off" and finding.severity == "serious" and finding.point_id == "p1"
    assert finding.end == T0 + 120 * 60 and finding.detail["mn"] == "MN1"


# stuck values


def test_power_constant_for_4_hours_while_current_moves_is_a_stuck_value() -> None:
    n = 5 * 60
    power = steps((30, 40.0), (250, 37.25), (20, 41.0))
    found = device_findings(
        [samples("p1", "active_power_kw", power, code="p"), samples("p1", "current_a", moving(n), code="i")],
        start=T0,
        end=T0 + DAY,
    )
    (finding,) = found
    assert finding.kind == "value_stuck" and finding.point_id == "p1" and finding.detail["value"] == 37.25
    assert finding.start == T0 + 30 * 60 and finding.end == T0 + 279 * 60 and finding.severity == "grave"


def test_a_value_constant_for_3_h_59_min_is_nothing_and_for_4_h_is_stuck() -> None:
    other = (minutes(300), moving(300))
    short = {("p1", "p"): (minutes(300), steps((10, 1.0), (239, 5.0), (51, 2.0))), ("p2", "p"): other}
    assert stuck_stretches(short, hours=4.0) == {}
    full = {("p1", "p"): (minutes(300), steps((10, 1.0), (240, 5.0), (50, 2.0))), ("p2", "p"): other}
    (run,) = stuck_stretches(full, hours=4.0)[("p1", "p")]
    assert (run.start, run.end, run.ongoing) == (T0 + 600, T0 + 249 * 60, False)


def test_every_point_of_the_terminal_constant_is_idle_not_stuck() -> None:
    series = {("p1", "p"): (minutes(300), steps((300, 0.0))), ("p2", "p"): (minutes(300), steps((300, 0.0)))}
    assert stuck_stretches(series, hours=4.0) == {}


def test_the_stuck_time_is_configurable() -> None:
    series = {("p1", "p"): (minutes(120), steps((120, 7.0))), ("p2", "p"): (minutes(120), moving(120))}
    (run,) = stuck_stretches(series, hours=1.0)[("p1", "p")]
    assert run.ongoing and run.truncated
    params = RuleParams(stuck_hours=1.0)
    found = device_findings(
        [samples("p1", "voltage_v", steps((120, 230.0))), samples("p2", "active_power_kw", moving(120))],
        start=T0,
        end=T0 + DAY,
        params=params,
    )
    assert [(f.kind, f.point_id, f.detail["quantity"]) for f in found] == [("value_stuck", "p1", "voltage_v")]


# transmission rate


def test_a_day_with_every_minute_received_has_a_transmission_rate_of_100_percent() -> None:
    assert transmission_rate(minutes(1440), start=T0, end=T0 + DAY, interval_s=60) == 1.0


def test_a_day_with_85_percent_of_its_minutes_is_below_90_percent_and_needs_maintenance() -> None:
    times = minutes(1440)
    kept = times[np.arange(1440) % 20 >= 3]  # 3 of every 20 minutes lost: 85 %
    point = DeviceSamples("p1", "MN1", "active_power_kw", "p", "2051", kept, np.ones(kept.shape[0]), kept)
    (finding,) = transmission_findings([point], start=T0, end=T0 + DAY, period="2026-03-02")
    assert finding.kind == "transmission_low" and finding.detail["rate"] == 0.85
    assert finding.detail["expected"] == 1440 and finding.severity == "general"


def test_a_day_with_92_percent_of_its_minutes_is_no_finding() -> None:
    kept = minutes(1440)[np.arange(1440) % 25 >= 2]
    point = DeviceSamples("p1", "MN1", "active_power_kw", "p", "2051", kept, np.ones(kept.shape[0]), kept)
    assert transmission_findings([point], start=T0, end=T0 + DAY, period="2026-03-02") == []


def test_the_monthly_rate_is_the_same_function_over_the_month() -> None:
    month = 31 * DAY
    times = np.arange(T0, T0 + 20 * DAY, 300, dtype=np.int64)  # 5-minute data for 20 of 31 days
    assert abs(transmission_rate(times, start=T0, end=T0 + month, interval_s=300) - 20 / 31) < 1e-9


def test_power_and_energy_of_one_minute_count_once() -> None:
    times = minutes(1440)
    power = DeviceSamples("p1", "MN1", "active_power_kw", "p", "2051", times, np.ones(1440), times)
    energy = DeviceSamples("p1", "MN1", "energy_kwh", "e", "2051", times, np.ones(1440), times)
    assert transmission_findings([power, energy], start=T0, end=T0 + DAY, period="d") == []


# clock skew


def test_data_six_minutes_ahead_of_its_reception_is_clock_skew() -> None:
    times = minutes(10)
    assert clock_skew(times, times - 360).tolist() == times.tolist()
    assert clock_skew(times, times - 240).tolist() == []


def test_clock_skew_finding_names_the_point_and_the_samples_from_the_future() -> None:
    (finding,) = device_findings([samples("p1", "active_power_kw", moving(30), ahead_s=600)], start=T0, end=T0 + DAY)
    assert finding.kind == "clock_skew" and finding.point_id == "p1" and len(finding.detail["times"]) == 30
    assert (finding.start, finding.end) == (T0, T0 + 29 * 60)
