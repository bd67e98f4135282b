"""Control plans (一厂一策), control periods and what a facility must do at an instant.

Periods are city-wide and the test database is shared, so each test puts its periods on a day of its own,
years ahead, where no other test's period can cover its enterprises.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.time import CST

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder


def _day() -> datetime:
    """Midnight CST of a day of this test's own, between 2031 and 2060."""
    return datetime(2031, 1, 1, tzinfo=CST) + timedelta(days=random.randint(0, 30 * 365))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
async def ceramics(city: httpx.AsyncClient, build: Builder) -> dict[str, Any]:
    """A ceramics works in 新华区 with plans for red (kiln stops, press limited) and differentiated (mill off-peak)."""
    ps_id = (await build.enterprise(industry="新型建材"))["ps_id"]
    kiln, press, mill = [await build.facility(ps_id, name) for name in ("烧成窑", "压制机1", "球磨机")]
    red = {
        "name": "重污染天气红色预警一厂一策",
        "measures": [
            {"facility_id": kiln["id"], "action": "stop"},
            {"facility_id": press["id"], "action": "limit", "limit_share": 0.5},
        ],
    }
    orange = {
        "name": "橙色预警一厂一策",
        "measures": [{"facility_id": kiln["id"], "action": "limit", "limit_share": 0.7}],
    }
    off_peak = {
        "name": "秋冬季错峰生产方案",
        "measures": [
            {"facility_id": mill["id"], "action": "off_peak", "windows": [{"start": "22:00", "end": "06:00"}]}
        ],
    }
    for level, plan in (("red", red), ("orange", orange), ("differentiated", off_peak)):
        reply = await city.put(f"/enterprises/{ps_id}/control-plans/{level}", json=plan)
        assert reply.status_code == 200, reply.text
    return {"ps_id": ps_id, "kiln": kiln, "press": press, "mill": mill}


async def _period(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    reply = await client.post("/control-periods", json={"name": "沧州市重污染天气预警", **body})
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def _obligation(client: httpx.AsyncClient, facility: dict[str, Any], at: datetime) -> dict[str, Any]:
    reply = await client.get(f"/facilities/{facility['id']}/obligation", params={"at": _iso(at)})
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def test_in_a_red_period_the_kiln_stops_and_the_press_is_limited_to_half(
    city: httpx.AsyncClient, ceramics: dict[str, Any]
) -> None:
    day = _day()
    period = await _period(city, level="red", starts_at=_iso(day), ends_at=_iso(day + timedelta(days=2)))
    noon = day + timedelta(hours=12)
    kiln = await _obligation(city, ceramics["kiln"], noon)
    assert (kiln["action"], kiln["period"]["id"], kiln["plan"]["name"]) == (
        "stop",
        period["id"],
        "重污染天气红色预警一厂一策",
    )
    press = await _obligation(city, ceramics["press"], noon)
    assert (press["action"], press["limit_share"]) == ("limit", 0.5)
    mill = await _obligation(city, ceramics["mill"], noon)
    assert (mill["action"], mill["period"]) == ("none", None)
    assert [p["id"] for p in mill["active_periods"]] == [period["id"]]
    after = await _obligation(city, ceramics["kiln"], day + timedelta(days=2))
    assert after["action"] == "none" and after["active_periods"] == []


async def test_overlapping_periods_give_the_strictest_measure(
    city: httpx.AsyncClient, ceramics: dict[str, Any]
) -> None:
    day = _day()
    await _period(city, level="orange", starts_at=_iso(day), ends_at=_iso(day + timedelta(days=3)))
    red = await _period(
        city, level="red", starts_at=_iso(day + timedelta(days=1)), ends_at=_iso(day + timedelta(days=2))
    )
    first = await _obligation(city, ceramics["kiln"], day + timedelta(hours=6))
    assert (first["action"], first["limit_share"], first["plan"]["level"]) == ("limit", 0.7, "orange")
    both = await _obligation(city, ceramics["kiln"], day + timedelta(days=1, hours=6))
    assert (both["action"], both["period"]["id"], len(both["active_periods"])) == ("stop", red["id"], 2)


async def test_off_peak_says_whether_the_instant_is_inside_a_forbidden_window(
    city: httpx.AsyncClient, ceramics: dict[str, Any]
) -> None:
    day = _day()
    await _period(city, level="differentiated", starts_at=_iso(day), ends_at=_iso(day + timedelta(days=1)))
    night = await _obligation(city, ceramics["mill"], day + timedelta(hours=3))
    assert (night["action"], night["in_forbidden_window"]) == ("off_peak", True)
    assert night["windows"] == [{"start": "22:00", "end": "06:00"}]
    afternoon = await _obligation(city, ceramics["mill"], day + timedelta(hours=15))
    assert (afternoon["action"], afternoon["in_forbidden_window"]) == ("off_peak", False)


async def test_a_period_covers_only_its_counties_and_industries(api: ApiFactory, ceramics: dict[str, Any]) -> None:
    city, day = api(Role.CITY), _day()
    window = {"starts_at": _iso(day), "ends_at": _iso(day + timedelta(days=1))}
    await _period(city, level="red", counties=["130921"], **window)  # 沧县 only; the works is in 新华区
    await _period(city, level="red", industries=["钢铁", "焦化"], **window)
    county = api(Role.COUNTY, county="130921")
    await _period(county, level="red", **window)  # a county's own activation covers only that county
    noon = day + timedelta(hours=12)
    assert (await _obligation(city, ceramics["kiln"], noon))["action"] == "none"


async def test_the_obligation_at_a_past_instant_follows_the_plan_of_that_instant(
    city: httpx.AsyncClient, build: Builder
) -> None:
    # A period in force now: scoped to one county and one industry that no other test uses, so it covers only this.
    ps_id = (await build.enterprise(county_code="130924", industry="碳素"))["ps_id"]
    kiln = await build.facility(ps_id, "焙烧炉")
    plan = {"name": "红色预警一厂一策", "measures": [{"facility_id": kiln["id"], "action": "stop"}]}
    assert (await city.put(f"/enterprises/{ps_id}/control-plans/red", json=plan)).status_code == 200
    start = datetime.now(CST)
    scope = {"counties": ["130924"], "industries": ["碳素"]}
    period = await _period(
        city, level="red", starts_at=_iso(start - timedelta(hours=1)), ends_at=_iso(start + timedelta(hours=1)), **scope
    )
    await asyncio.sleep(0.01)
    before_revision = datetime.now(CST)
    await asyncio.sleep(0.01)
    relaxed = {
        "name": "红色预警一厂一策（修订）",
        "measures": [{"facility_id": kiln["id"], "action": "limit", "limit_share": 0.3}],
    }
    assert (await city.put(f"/enterprises/{ps_id}/control-plans/red", json=relaxed)).status_code == 200

    now_reply = (await city.get(f"/facilities/{kiln['id']}/obligation")).json()
    assert (now_reply["action"], now_reply["limit_share"], now_reply["period"]["id"]) == ("limit", 0.3, period["id"])
    then = await _obligation(city, kiln, before_revision)
    assert (then["action"], then["plan"]["name"]) == ("stop", "红色预警一厂一策")
    assert (await city.delete(f"/control-periods/{period['id']}")).status_code == 204


BAD_MEASURES: list[tuple[str, dict[str, Any], str]] = [
    ("limit without share", {"action": "limit"}, "须填写限产比例"),
    ("share above one", {"action": "limit", "limit_share": 1.5}, "须小于 1"),
    ("off-peak without window", {"action": "off_peak"}, "至少填写一个错峰时段"),
    ("bad window", {"action": "off_peak", "windows": [{"start": "25:00", "end": "06:00"}]}, "须为 hh:mm"),
    ("share on a stop", {"action": "stop", "limit_share": 0.5}, "只有限产措施"),
    ("unknown action", {"action": "halt"}, "须为以下之一"),
]


@pytest.mark.parametrize(("case", "measure", "expected"), BAD_MEASURES, ids=[m[0] for m in BAD_MEASURES])
async def test_a_bad_measure_is_explained_and_the_plan_is_unchanged(
    city: httpx.AsyncClient, ceramics: dict[str, Any], case: str, measure: dict[str, Any], expected: str
) -> None:
    del case
    plan = {"name": "红色预警", "measures": [{"facility_id": ceramics["kiln"]["id"], **measure}]}
    reply = await city.put(f"/enterprises/{ceramics['ps_id']}/control-plans/red", json=plan)
    assert reply.status_code == 422, reply.text
    assert any(expected in p["message"] for p in reply.json()["error"]["problems"]), reply.json()
    plans = (await city.get(f"/enterprises/{ceramics['ps_id']}/control-plans")).json()
    assert {p["level"]: p["name"] for p in plans}["red"] == "重污染天气红色预警一厂一策"


async def test_a_period_must_end_after_it_starts_and_carry_a_time_zone(city: httpx.AsyncClient) -> None:
    day = _day()
    backwards = await city.post(
        "/control-periods",
        json={"name": "预警", "level": "red", "starts_at": _iso(day), "ends_at": _iso(day - timedelta(hours=1))},
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["problems"][0]["field"] == "ends_at"
    naive = await city.post(
        "/control-periods",
        json={"name": "预警", "level": "red", "starts_at": "2031-01-01T00:00:00", "ends_at": "2031-01-02T00:00:00"},
    )
    assert naive.status_code == 422
    assert {p["message"] for p in naive.json()["error"]["problems"]} == {"须带时区，例如 +08:00"}


async def test_a_county_activates_control_for_its_own_county_only(api: ApiFactory) -> None:
    county, day = api(Role.COUNTY, county="130921"), _day()
    window = {"starts_at": _iso(day), "ends_at": _iso(day + timedelta(days=1))}
    own = await _period(county, level="orange", **window)
    assert own["issuer_county_code"] == "130921"
    reply = await county.post(
        "/control-periods", json={"name": "预警", "level": "orange", "counties": ["130982"], **window}
    )
    assert reply.status_code == 422 and "本县" in reply.json()["error"]["problems"][0]["message"]
    city_period = await _period(api(Role.CITY), level="orange", **window)
    assert (await county.delete(f"/control-periods/{city_period['id']}")).status_code == 403
    assert (await county.delete(f"/control-periods/{own['id']}")).status_code == 204
