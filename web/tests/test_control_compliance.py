"""The control page: which enterprises a period covers and whether each facility complies now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fbjd_web.compliance import covers, facility_duty, in_window
from fbjd_web.point_table import point_state

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 CST
CERAMICS = {"ps_id": "a" * 32, "county_code": "130902", "industry": "新型建材"}
PERIOD = {
    "starts_at": (NOW - timedelta(hours=1)).isoformat(),
    "ends_at": (NOW + timedelta(days=2)).isoformat(),
    "issuer_county_code": None,
    "counties": [],
    "industries": [],
    "level": "orange",
}


def _pt(kw: float | None, threshold: float | None, rated: float = 100.0) -> object:
    point = {"id": "p", "name": "窑-风机", "threshold_kw": threshold, "rated_kw": rated}
    latest = None if kw is None else {"kw": kw, "data_time": (NOW - timedelta(minutes=2)).isoformat()}
    return point_state(point, latest, NOW)


def test_a_city_period_for_every_industry_covers_the_ceramics_works() -> None:
    assert covers(PERIOD, CERAMICS, NOW)


def test_a_period_covers_only_its_counties_industries_and_its_own_time() -> None:
    assert not covers({**PERIOD, "counties": ["130983"]}, CERAMICS, NOW)
    assert not covers({**PERIOD, "industries": ["钢铁"]}, CERAMICS, NOW)
    assert covers({**PERIOD, "industries": ["钢铁", "新型建材"]}, CERAMICS, NOW)
    assert not covers({**PERIOD, "issuer_county_code": "130921"}, CERAMICS, NOW), "another county's order"
    assert not covers(PERIOD, CERAMICS, NOW + timedelta(days=3)), "over"


def test_a_facility_ordered_to_stop_complies_only_when_every_point_is_off() -> None:
    stop = {"action": "stop"}
    assert facility_duty(stop, "1#烧成窑", [_pt(3.0, 15.0)], 132, NOW).verdict == "complying"
    running = facility_duty(stop, "1#烧成窑", [_pt(3.0, 15.0), _pt(80.0, 15.0)], 132, NOW)
    assert running.verdict == "violating" and running.live_kw == 83.0
    assert facility_duty(stop, "1#烧成窑", [_pt(None, 15.0)], 132, NOW).verdict == "unknown"


def test_a_limited_facility_is_judged_against_its_share_of_rated_power() -> None:
    limit = {"action": "limit", "limit_share": 0.5}
    within = facility_duty(limit, "喷雾干燥塔", [_pt(40.0, 10.0)], 105.0, NOW)
    assert within.allowed_kw == 52.5 and within.verdict == "complying"
    assert facility_duty(limit, "喷雾干燥塔", [_pt(60.0, 10.0)], 105.0, NOW).verdict == "violating"


def test_off_peak_windows_are_cst_wall_clock_and_may_cross_midnight() -> None:
    assert in_window([{"start": "09:00", "end": "11:00"}], NOW)
    assert not in_window([{"start": "22:00", "end": "06:00"}], NOW)
    assert in_window([{"start": "22:00", "end": "06:00"}], NOW - timedelta(hours=5)), "05:00 CST"
    outside = facility_duty(
        {"action": "off_peak", "windows": [{"start": "22:00", "end": "06:00"}]}, "x", [_pt(90.0, 10.0)], 100, NOW
    )
    assert outside.verdict == "not_now"
