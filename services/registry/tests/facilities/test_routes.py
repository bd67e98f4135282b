"""Facilities: production (生产设施) or treatment (治污设施), named once per enterprise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Builder


async def test_a_facility_is_registered_with_its_line_and_rated_power(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    kiln = await build.facility(ps_id, "1#烧成窑", process="1#生产线", rated_kw=450)
    assert (kiln["kind"], kiln["process"], kiln["rated_kw"], kiln["needs_treatment"]) == (
        "production",
        "1#生产线",
        450.0,
        True,
    )
    listed = await city.get(f"/enterprises/{ps_id}/facilities")
    assert [f["name"] for f in listed.json()] == ["1#烧成窑"]


async def test_a_bad_kind_and_a_negative_rating_are_both_named(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    reply = await city.post(
        f"/enterprises/{ps_id}/facilities", json={"name": "脱硫塔", "kind": "filter", "rated_kw": -1}
    )
    assert reply.status_code == 422
    problems = {p["field"]: p for p in reply.json()["error"]["problems"]}
    assert set(problems) == {"kind", "rated_kw"}
    assert "production" in problems["kind"]["message"] and problems["rated_kw"]["label"] == "额定功率(kW)"
    assert (await city.get(f"/enterprises/{ps_id}/facilities")).json() == []


async def test_the_same_facility_name_twice_in_one_enterprise_is_a_conflict(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    await build.facility(ps_id, "脱硫塔", "treatment")
    reply = await city.post(f"/enterprises/{ps_id}/facilities", json={"name": "脱硫塔", "kind": "treatment"})
    assert reply.status_code == 409 and "脱硫塔" in reply.json()["error"]["message"]


async def test_a_facility_with_points_cannot_be_deleted_until_they_are(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    press = await build.facility(ps_id, "压制机1")
    point = await build.point(ps_id, press, "压制机1-主电机")
    refused = await city.delete(f"/facilities/{press['id']}")
    assert refused.status_code == 409 and "1 个测点" in refused.json()["error"]["message"]
    assert (await city.delete(f"/points/{point['id']}")).status_code == 204
    assert (await city.delete(f"/facilities/{press['id']}")).status_code == 204
    assert (await city.get(f"/facilities/{press['id']}")).status_code == 404
