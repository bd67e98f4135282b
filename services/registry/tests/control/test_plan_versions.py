"""The plans (一厂一策) as they stood at the time of the data: every version with the span it was in force.

The rules judge an hour of data by the plan of that hour, so a plan revised in the middle of a control period
answers two versions over a window that spans the revision, and one over a window before or after it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.time import fixed_clock

if TYPE_CHECKING:
    from conftest import Builder

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 08:00 CST: the plan is filed
REVISED = T0 + timedelta(hours=6)  # 14:00 CST: the bureau tightens it from "limit to 50 %" to "stop"
WITHDRAWN = T0 + timedelta(hours=10)  # 18:00 CST: the red plan is withdrawn


async def _versions(city: httpx.AsyncClient, ps_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    params = {"start": start.isoformat(), "end": end.isoformat()}
    reply = await city.get(f"/enterprises/{ps_id}/control-plan-versions", params=params)
    assert reply.status_code == 200, reply.text
    result: list[dict[str, Any]] = reply.json()
    return result


async def _revised_plan(city: httpx.AsyncClient, build: Builder) -> tuple[str, dict[str, Any]]:
    ps_id = (await build.enterprise(industry="新型建材"))["ps_id"]
    kiln = await build.facility(ps_id, "1#隧道窑")
    limit = {"facility_id": kiln["id"], "action": "limit", "limit_share": 0.5}
    for at, measure in ((T0, limit), (REVISED, {"facility_id": kiln["id"], "action": "stop"})):
        with fixed_clock(lambda at=at: at):
            plan = {"name": "重污染天气红色预警一厂一策", "measures": [measure]}
            reply = await city.put(f"/enterprises/{ps_id}/control-plans/red", json=plan)
            assert reply.status_code == 200, reply.text
    with fixed_clock(lambda: WITHDRAWN):
        assert (await city.delete(f"/enterprises/{ps_id}/control-plans/red")).status_code == 204
    return ps_id, kiln


async def test_a_plan_revised_mid_period_answers_each_version_with_its_span(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id, kiln = await _revised_plan(city, build)
    versions = await _versions(city, ps_id, T0 - timedelta(hours=1), T0 + timedelta(days=1))
    summary = [(v["measures"][0]["action"], v["valid_from"], v["valid_to"]) for v in versions]
    assert [(a, datetime.fromisoformat(f), datetime.fromisoformat(t)) for a, f, t in summary] == [
        ("limit", T0, REVISED),
        ("stop", REVISED, WITHDRAWN),
    ]
    assert versions[0]["measures"][0] == {
        "facility_id": kiln["id"],
        "action": "limit",
        "limit_share": 0.5,
        "windows": None,
    }
    assert {v["level"] for v in versions} == {"red"} and len({v["id"] for v in versions}) == 1


async def test_a_window_inside_one_version_answers_that_version_from_the_window_start(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id, _ = await _revised_plan(city, build)
    start = T0 + timedelta(hours=2)
    (before,) = await _versions(city, ps_id, start, start + timedelta(hours=1))
    assert before["measures"][0]["action"] == "limit"
    assert datetime.fromisoformat(before["valid_from"]) == start
    assert before["valid_to"] is None  # no change inside the window asked about
    assert await _versions(city, ps_id, WITHDRAWN, WITHDRAWN + timedelta(hours=1)) == []
    assert await _versions(city, ps_id, T0 - timedelta(days=1), T0) == []


async def test_a_plan_never_revised_is_in_force_to_the_end_of_the_window(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise(industry="新型建材"))["ps_id"]
    kiln = await build.facility(ps_id, "1#隧道窑")
    with fixed_clock(lambda: T0):
        plan = {"name": "橙色预警一厂一策", "measures": [{"facility_id": kiln["id"], "action": "stop"}]}
        assert (await city.put(f"/enterprises/{ps_id}/control-plans/orange", json=plan)).status_code == 200
    (version,) = await _versions(city, ps_id, T0 + timedelta(days=3), T0 + timedelta(days=4))
    assert version["valid_to"] is None and version["level"] == "orange"


async def test_an_inverted_window_is_explained(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    params = {"start": T0.isoformat(), "end": (T0 - timedelta(hours=1)).isoformat()}
    reply = await city.get(f"/enterprises/{ps_id}/control-plan-versions", params=params)
    assert reply.status_code == 422 and "须晚于开始时间" in reply.text
