"""Rows of ingest.readings_v1 → power series: which columns, which CN, flags, energy-only points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from fbjd_rules.readings.loader import group_rows, series_for_points

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _row(
    point: str,
    quantity: str,
    cn: str,
    minute: int,
    *,
    avg: float | None = None,
    rtd: float | None = None,
    max_: float | None = None,
    cou: float | None = None,
    flag: str | None = "N",
) -> tuple:
    return (point, quantity, cn, T0 + timedelta(minutes=minute), rtd, avg, max_, cou, flag)


def test_minute_power_wins_over_real_time_and_flagged_samples_are_unknown() -> None:
    rows = [_row("p", "active_power_kw", "2051", m, avg=50.0 + m) for m in (0, 5, 10)]
    rows[1] = _row("p", "active_power_kw", "2051", 5, avg=55.0, flag="D")
    rows += [_row("p", "active_power_kw", "2011", m, rtd=1.0) for m in range(0, 15)]
    (series,) = series_for_points(group_rows(rows)).values()
    assert series.interval_s == 300 and series.times.shape[0] == 3
    assert series.power_kw[0] == 50.0 and np.isnan(series.power_kw[1]) and series.power_kw[2] == 60.0


def test_a_point_with_energy_only_gets_power_from_its_register() -> None:
    rows = [_row("e", "energy_kwh", "2051", m, max_=1000.0 + 5.0 * (m // 5)) for m in (0, 5, 10, 15)]
    series = series_for_points(group_rows(rows))["e"]
    np.testing.assert_allclose(series.power_kw[:3], [60.0, 60.0, 60.0])


def test_real_time_data_stands_in_when_no_minute_data_comes() -> None:
    rows = [_row("r", "active_power_kw", "2011", m, rtd=20.0) for m in range(10)]
    series = series_for_points(group_rows(rows))["r"]
    assert series.interval_s == 60 and (series.power_kw == 20.0).all()
