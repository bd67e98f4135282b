"""Production↔treatment links (产治对应关系): many to many, production to treatment only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Builder


async def test_one_denitrification_system_serves_two_kilns(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    kiln1, kiln2 = await build.facility(ps_id, "1#烧成窑"), await build.facility(ps_id, "2#烧成窑")
    scr = await build.facility(ps_id, "烧成窑脱硝系统", "treatment")
    await build.link(ps_id, kiln1, scr)
    await build.link(ps_id, kiln2, scr)
    links = (await city.get(f"/enterprises/{ps_id}/links")).json()
    assert sorted(link["production_facility_id"] for link in links) == sorted([kiln1["id"], kiln2["id"]])
    assert {link["treatment_facility_id"] for link in links} == {scr["id"]}


async def test_a_link_the_wrong_way_round_names_both_ends(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    kiln, scr = await build.facility(ps_id, "烧成窑"), await build.facility(ps_id, "脱硝系统", "treatment")
    body = {"production_facility_id": scr["id"], "treatment_facility_id": kiln["id"]}
    reply = await city.post(f"/enterprises/{ps_id}/links", json=body)
    assert reply.status_code == 422
    messages = {p["field"]: p["message"] for p in reply.json()["error"]["problems"]}
    assert messages == {
        "production_facility_id": "「脱硝系统」不是生产设施",
        "treatment_facility_id": "「烧成窑」不是治污设施",
    }


async def test_the_same_link_twice_is_a_conflict_and_a_link_can_be_removed(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    kiln, scr = await build.facility(ps_id, "烧成窑"), await build.facility(ps_id, "脱硝系统", "treatment")
    link = await build.link(ps_id, kiln, scr)
    body = {"production_facility_id": kiln["id"], "treatment_facility_id": scr["id"]}
    assert (await city.post(f"/enterprises/{ps_id}/links", json=body)).status_code == 409
    assert (await city.delete(f"/links/{link['id']}")).status_code == 204
    assert (await city.get(f"/enterprises/{ps_id}/links")).json() == []
