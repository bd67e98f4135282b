"""The as-of query: what the registry said at time t (a threshold changed today must not rewrite last week)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Builder


async def _instant(city: httpx.AsyncClient, ps_id: str) -> str:
    """The instant of the enterprise's latest change, from the change log itself."""
    log = (await city.get(f"/enterprises/{ps_id}/changes", params={"limit": 1})).json()
    at: str = log[0]["at"]
    return at


async def test_the_topology_as_of_a_past_instant_shows_the_threshold_and_links_of_that_instant(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    kiln = await build.facility(ps_id, "1#烧成窑")
    scr = await build.facility(ps_id, "烧成窑脱硝系统", "treatment")
    fan = await build.point(ps_id, scr, "烧成窑脱硝系统-稀释风机", rated_kw=30, threshold_kw=5)
    link = await build.link(ps_id, kiln, scr)
    before_change = await _instant(city, ps_id)
    await asyncio.sleep(0.01)
    assert (await city.patch(f"/points/{fan['id']}", json={"threshold_kw": 8})).status_code == 200
    assert (await city.delete(f"/links/{link['id']}")).status_code == 204

    then = (await city.get(f"/enterprises/{ps_id}/topology", params={"at": before_change})).json()
    (point_then,) = then["points"]
    assert point_then["threshold_kw"] == 5
    assert [item["id"] for item in then["links"]] == [link["id"]]

    current = (await city.get(f"/enterprises/{ps_id}/topology")).json()
    assert current["points"][0]["threshold_kw"] == 8 and current["links"] == []
    now_from_log = (await city.get(f"/enterprises/{ps_id}/topology", params={"at": await _instant(city, ps_id)})).json()
    for key in ("facilities", "points", "links", "treatment_requirements"):
        assert now_from_log[key] == current[key], key


async def test_before_the_enterprise_was_registered_the_topology_is_empty(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    await build.facility(ps_id, "烧成窑")
    early = (await city.get(f"/enterprises/{ps_id}/topology", params={"at": "2020-01-01T00:00:00+08:00"})).json()
    assert (early["enterprise"], early["facilities"], early["points"]) == (None, [], [])


async def test_main_and_standby_fans_form_one_required_group(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    bag = await build.facility(ps_id, "布袋除尘器", "treatment")
    main = await build.point(ps_id, bag, "布袋除尘器-主引风机", standby_group="引风机")
    standby = await build.point(ps_id, bag, "布袋除尘器-备用引风机", standby_group="引风机")
    pump = await build.point(ps_id, bag, "布袋除尘器-清灰空压机")
    (requirement,) = (await city.get(f"/enterprises/{ps_id}/topology")).json()["treatment_requirements"]
    groups = sorted(sorted(group) for group in requirement["groups"])
    assert groups == sorted([sorted([main["id"], standby["id"]]), [pump["id"]]])


async def test_the_change_log_says_who_changed_what_from_what_to_what(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    press = await build.facility(ps_id, "压制机1")
    point = await build.point(ps_id, press, "压制机1-主电机", threshold_kw=10)
    await city.patch(f"/points/{point['id']}", json={"threshold_kw": 12})
    (change,) = (await city.get(f"/enterprises/{ps_id}/changes", params={"entity": "point", "limit": 1})).json()
    assert change["action"] == "update" and change["actor"] == "city:tester"
    assert (change["old"]["threshold_kw"], change["new"]["threshold_kw"]) == (10, 12)
    unchanged = await city.patch(f"/points/{point['id']}", json={"threshold_kw": 12})
    assert unchanged.status_code == 200
    assert len((await city.get(f"/enterprises/{ps_id}/changes", params={"entity": "point"})).json()) == 2
