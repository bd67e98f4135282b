"""Power from what meters send: energy differences, rollovers, resets, implausible values."""

from __future__ import annotations

import numpy as np
import pytest
from fbjd_rules.engine import build_series, nominal_interval
from fbjd_rules.engine.series import sample_on_grid

T = np.arange(0, 6 * 300, 300, dtype=np.int64) + 1_772_409_600  # six 5-minute samples


def test_power_from_the_energy_register_difference() -> None:
    register = np.array([100.0, 105.0, 110.0, 110.5, 111.0, 116.0])
    series = build_series("p", T, register=register)
    np.testing.assert_allclose(series.power_kw[:-1], [60.0, 60.0, 6.0, 6.0, 60.0])
    assert np.isnan(series.power_kw[-1])  # the last interval is not closed yet


def test_a_register_rollover_is_consumption_not_a_negative_value() -> None:
    register = np.array([999_990.0, 999_995.0, 0.0, 5.0, 10.0, 15.0])
    series = build_series("p", T, register=register, rated_kw=100.0)
    np.testing.assert_allclose(series.power_kw[:-1], [60.0, 60.0, 60.0, 60.0, 60.0])
    assert series.anomalies == ()


def test_a_meter_reset_counts_from_zero_and_is_reported() -> None:
    register = np.array([5000.0, 5005.0, 2.0, 7.0, 12.0, 17.0])
    series = build_series("p", T, register=register, rated_kw=100.0)
    np.testing.assert_allclose(series.power_kw[:-1], [60.0, 24.0, 60.0, 60.0, 60.0])
    assert [a.kind for a in series.anomalies] == ["energy_reset"]


def test_energy_going_backwards_is_unknown_never_negative() -> None:
    register = np.array([5000.0, 5005.0, 4000.0, 4005.0, 4010.0, 4015.0])
    series = build_series("p", T, register=register, rated_kw=10.0)
    assert np.isnan(series.power_kw[1]) and (np.nan_to_num(series.power_kw) >= 0).all()
    assert "energy_backwards" in [a.kind for a in series.anomalies]


def test_the_periods_consumption_wins_over_the_register() -> None:
    used = np.array([5.0, 5.0, 0.5, 0.5, 5.0, 5.0])
    series = build_series("p", T, used=used, register=np.full(6, np.nan))
    np.testing.assert_allclose(series.power_kw, [60.0, 60.0, 6.0, 6.0, 60.0, 60.0])


@pytest.mark.parametrize(("power", "kind"), [(-20.0, "negative_power"), (400.0, "power_above_rated")])
def test_implausible_power_is_unknown_and_reported(power: float, kind: str) -> None:
    values = np.array([50.0, power, 50.0, 50.0, 50.0, 50.0])
    series = build_series("p", T, power=values, rated_kw=100.0)
    assert np.isnan(series.power_kw[1]) and [a.kind for a in series.anomalies] == [kind]


def test_a_sample_holds_for_one_interval_on_the_minute_grid() -> None:
    series = build_series("p", T[[0, 1, 3]], power=np.array([1.0, 2.0, 4.0]), interval_s=300)
    grid = sample_on_grid(series, int(T[0] // 60), 20)
    assert grid[:5].tolist() == [1.0] * 5 and grid[5:10].tolist() == [2.0] * 5
    assert np.isnan(grid[10:15]).all() and grid[15:20].tolist() == [4.0] * 5


def test_nominal_interval_is_the_median_spacing() -> None:
    assert nominal_interval(T) == 300 and nominal_interval(T[:1]) == 300
    assert nominal_interval(np.arange(0, 600, 60, dtype=np.int64)) == 60
