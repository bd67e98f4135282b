"""`fbjd bench stats` with tiny numbers on a real PostgreSQL (a throw-away database of its own, as the bench
makes): the data set it claims, the queries it times, and a late-data recompute that really replaces the
generated day with the sum of its raw readings."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from fbjd_infra.bench.harness import bench_database
from fbjd_infra.bench.report import write_section
from fbjd_infra.bench.stats import END, START, run_stats


def test_the_stats_bench_generates_two_years_of_rollups_and_times_every_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = os.environ.get("FBJD_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if server:
        monkeypatch.setenv("DATABASE_URL", server)  # the bench makes (and drops) its own database there
    with bench_database() as database:
        result = asyncio.run(run_stats(database.url, enterprises=4, points=10, late_points=3, repeat=2, year=2025))
    assert result.daily_rows == 10 * (366 + 365)  # every day of 2024 (a leap year) and 2025
    assert result.monthly_rows == 10 * 24
    assert result.raw_readings == 3 * 576  # two days of 5-min energy data for 3 points
    assert len(result.timings) == 9 and all(t.median_ms > 0 for t in result.timings)
    assert result.timings[0].rows == 4 * 12  # every enterprise, every month of the year
    assert result.timings[1].rows == 2 * 4 * 12  # and of the year before
    assert result.timings[-1].rows == 3  # the round took the late keys of the 3 points
    assert result.late_day_after_kwh == pytest.approx(result.late_day_expected_kwh)
    assert result.late_day_after_kwh != pytest.approx(result.late_day_before_kwh)
    report = tmp_path / "BENCH.md"
    write_section(report, f"{START}\n{result.markdown('test machine')}\n{END}\n", markers=(START, END))
    assert "| city: monthly consumption by enterprise, 2025 | 48 |" in report.read_text()
