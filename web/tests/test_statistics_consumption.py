"""Consumption statistics: 环比 against the period just before, 同比 against the same period a year before."""

from __future__ import annotations

from datetime import date

import pytest
from fbjd_web.consumption import (
    change,
    period_label,
    periods_in,
    previous_period,
    query_ranges,
    summarise,
    year_ago,
)
from fbjd_web.stat_tables import abnormal_table, consumption_table, rates_table

CERAMICS, STEEL, BRICKS = "a" * 32, "b" * 32, "c" * 32
INDUSTRY = {CERAMICS: "新型建材", STEEL: "钢铁", BRICKS: "新型建材"}


def test_change_is_the_difference_over_the_earlier_figure() -> None:
    assert change(1100.0, 1000.0) == pytest.approx(0.1)
    assert change(900.0, 1000.0) == pytest.approx(-0.1)
    assert change(5.0, 0.0) is None, "nothing used before: no ratio"
    assert change(5.0, None) is None, "no data before: no ratio"


def test_the_earlier_periods_of_a_day_a_month_and_a_year() -> None:
    assert previous_period(date(2026, 3, 1), "day") == date(2026, 2, 28)
    assert previous_period(date(2026, 1, 1), "month") == date(2025, 12, 1)
    assert previous_period(date(2026, 1, 1), "year") == date(2025, 1, 1)
    assert year_ago(date(2028, 2, 29)) == date(2027, 2, 28), "a leap day compares with 28 February"


def test_periods_cover_the_range_with_whole_months() -> None:
    assert periods_in(date(2026, 10, 15), date(2026, 12, 2), "month") == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert [period_label(p, "year") for p in periods_in(date(2025, 6, 1), date(2026, 1, 1), "year")] == ["2025", "2026"]


def test_ingest_is_asked_for_the_period_before_and_the_same_range_a_year_earlier() -> None:
    assert query_ranges(date(2026, 11, 10), date(2026, 11, 24), "month") == [
        (date(2026, 10, 1), date(2026, 11, 24)),
        (date(2025, 11, 1), date(2025, 11, 24)),
    ]


def test_industry_totals_with_month_on_month_and_year_on_year() -> None:
    rows = [
        {"ps_id": CERAMICS, "period_start": "2026-11-01", "kwh": 600.0},
        {"ps_id": BRICKS, "period_start": "2026-11-01", "kwh": 500.0},
        {"ps_id": CERAMICS, "period_start": "2026-10-01", "kwh": 1000.0},
        {"ps_id": CERAMICS, "period_start": "2025-11-01", "kwh": 880.0},
        {"ps_id": STEEL, "period_start": "2026-11-01", "kwh": 9000.0},
        {"ps_id": CERAMICS, "period_start": "2026-11-01", "kwh": 600.0},  # the same row from the second query
    ]
    lines = summarise(rows, INDUSTRY.__getitem__, date(2026, 11, 1), date(2026, 11, 24), "month")
    assert [(line.group, line.label) for line in lines] == [("新型建材", "2026-11"), ("钢铁", "2026-11")]
    building = lines[0]
    assert building.kwh == 1100.0, "ceramics 600 + bricks 500, the repeated row counted once"
    assert building.previous_kwh == 1000.0 and building.mom == pytest.approx(0.1)
    assert building.year_ago_kwh == 880.0 and building.yoy == pytest.approx(0.25)
    assert lines[1].mom is None and lines[1].yoy is None, "steel has no earlier data"


def test_the_consumption_table_keeps_numbers_and_marks_shares_as_percent() -> None:
    lines = summarise(
        [
            {"ps_id": CERAMICS, "period_start": "2026-11-24", "kwh": 120.0},
            {"ps_id": CERAMICS, "period_start": "2026-11-23", "kwh": 100.0},
        ],
        lambda _: "沧州市华信陶瓷有限公司",
        date(2026, 11, 24),
        date(2026, 11, 24),
        "day",
    )
    table = consumption_table(lines, "enterprise", "day", "2026-11-24_2026-11-24")
    assert table.headers[:3] == ["企业", "周期（日）", "用电量(kWh)"]
    assert table.rows == [["沧州市华信陶瓷有限公司", "2026-11-24", 120.0, 100.0, pytest.approx(0.2), None, None]]
    assert table.is_percent(4) and table.is_percent(6) and not table.is_percent(2)


def test_the_rates_list_for_maintenance_holds_only_points_below_90_percent() -> None:
    rates = {
        "month": "2026-11",
        "items": [
            {"mn": "M1", "ps_id": CERAMICS, "received": 700, "expected": 1000, "rate": 0.7, "needs_maintenance": True},
            {"mn": "M2", "ps_id": STEEL, "received": 995, "expected": 1000, "rate": 0.995, "needs_maintenance": False},
        ],
    }
    devices = [
        {
            "mn": "M1",
            "enterprise_name": "华信陶瓷",
            "county_code": "130902",
            "points": [{"name": "脱硫塔-循环泵"}, {"name": "1#烧成窑-助燃风机"}],
        },
        {
            "mn": "M2",
            "enterprise_name": "渤海钢铁",
            "county_code": "130983",
            "points": [{"name": "1#高炉-热风炉助燃风机"}],
        },
    ]
    low = rates_table(rates, devices, {"130902": "运河区"}, only_low=True)
    assert [r[2] for r in low.rows] == ["1#烧成窑-助燃风机", "脱硫塔-循环泵"]
    assert all(r[6] == 0.7 and r[7] == "是" and r[1] == "运河区" for r in low.rows)
    everything = rates_table(rates, devices, {}, only_low=False)
    assert len(everything.rows) == 3 and everything.rows[-1][6] == 0.995, "lowest first"


def test_abnormal_statistics_by_type_end_with_a_total_row() -> None:
    stats = {
        "by_type": [
            {"key": "stop_violation", "total": 2, "open": 1, "by_stage": {"city_review": 1, "approved": 1}},
            {
                "key": "treatment_abnormal",
                "total": 5,
                "open": 2,
                "by_stage": {"enterprise_check": 2, "closed_by_enterprise": 3},
            },
        ]
    }
    table = abnormal_table(stats, "type", {}, "x")
    assert table.headers[:3] == ["异常类型", "异常总数", "未办结"]
    assert table.rows[0][:3] == ["治理设施异常", 5, 2]
    assert table.rows[-1][:3] == ["合计", 7, 3]
    assert sum(int(v) for v in table.rows[-1][3:]) == 7, "every record is in one stage"  # type: ignore[arg-type]
