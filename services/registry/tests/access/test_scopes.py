"""Scopes enforced by the service itself: an enterprise sees only itself, a county only its county;
master data is changed by city, county (its own county) and admin only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder, PayloadFactory

CANGXIAN, RENQIU = "130921", "130982"  # 沧县, 任丘市


@pytest.fixture
async def two_counties(build: Builder) -> dict[str, Any]:
    """One enterprise in 沧县 and one in 任丘市, each with a facility and a point."""
    result: dict[str, Any] = {}
    for county in (CANGXIAN, RENQIU):
        enterprise = await build.enterprise(county_code=county)
        facility = await build.facility(enterprise["ps_id"], "烧成窑")
        point = await build.point(enterprise["ps_id"], facility, "烧成窑-助燃风机")
        result[county] = {"enterprise": enterprise, "facility": facility, "point": point}
    return result


async def test_an_enterprise_user_reads_itself_and_nobody_else(api: ApiFactory, two_counties: dict[str, Any]) -> None:
    mine, theirs = two_counties[CANGXIAN], two_counties[RENQIU]
    me = api(Role.ENTERPRISE, enterprise_id=mine["enterprise"]["ps_id"])
    assert (await me.get(f"/enterprises/{mine['enterprise']['ps_id']}")).status_code == 200
    assert [e["ps_id"] for e in (await me.get("/enterprises")).json()] == [mine["enterprise"]["ps_id"]]
    for path in (
        f"/enterprises/{theirs['enterprise']['ps_id']}",
        f"/enterprises/{theirs['enterprise']['ps_id']}/topology",
        f"/enterprises/{theirs['enterprise']['ps_id']}/audit",
        f"/facilities/{theirs['facility']['id']}",
        f"/points/{theirs['point']['id']}",
        f"/facilities/{theirs['facility']['id']}/obligation",
    ):
        reply = await me.get(path)
        assert reply.status_code == 404, path
        assert "不在您的管辖范围内" in reply.json()["error"]["message"]


async def test_an_unknown_enterprise_and_a_foreign_one_get_the_same_answer(
    api: ApiFactory, two_counties: dict[str, Any]
) -> None:
    me = api(Role.ENTERPRISE, enterprise_id=two_counties[CANGXIAN]["enterprise"]["ps_id"])
    foreign = await me.get(f"/enterprises/{two_counties[RENQIU]['enterprise']['ps_id']}")
    unknown = await me.get("/enterprises/" + "0" * 32)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"


async def test_a_county_user_sees_only_its_county(api: ApiFactory, two_counties: dict[str, Any]) -> None:
    county = api(Role.COUNTY, county=CANGXIAN)
    listed = (await county.get("/enterprises", params={"limit": 5000})).json()
    assert listed and {e["county_code"] for e in listed} == {CANGXIAN}
    assert two_counties[CANGXIAN]["enterprise"]["ps_id"] in {e["ps_id"] for e in listed}
    assert (await county.get("/enterprises", params={"county_code": RENQIU})).json() == []
    other = two_counties[RENQIU]
    assert (await county.get(f"/enterprises/{other['enterprise']['ps_id']}/topology")).status_code == 404
    assert (await county.get(f"/points/{other['point']['id']}")).status_code == 404


async def test_a_county_user_edits_its_county_only(
    api: ApiFactory, two_counties: dict[str, Any], make_payload: PayloadFactory
) -> None:
    county = api(Role.COUNTY, county=CANGXIAN)
    own = await county.post("/enterprises", json=make_payload(county_code=CANGXIAN))
    assert own.status_code == 201, own.text
    elsewhere = await county.post("/enterprises", json=make_payload(county_code=RENQIU))
    assert elsewhere.status_code == 403 and "本县" in elsewhere.json()["error"]["message"]
    other = two_counties[RENQIU]
    patch = await county.patch(f"/enterprises/{other['enterprise']['ps_id']}", json={"postcode": "062550"})
    assert patch.status_code == 404
    move = await county.patch(f"/enterprises/{own.json()['ps_id']}", json={"county_code": RENQIU})
    assert move.status_code == 403
    point = await county.patch(f"/points/{other['point']['id']}", json={"threshold_kw": 1})
    assert point.status_code == 404


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.SERVICE, Role.ENFORCEMENT])
async def test_roles_that_do_not_keep_the_registry_cannot_change_it(
    api: ApiFactory, two_counties: dict[str, Any], make_payload: PayloadFactory, role: Role
) -> None:
    mine = two_counties[CANGXIAN]
    client = api(role, enterprise_id=mine["enterprise"]["ps_id"])
    assert (await client.post("/enterprises", json=make_payload())).status_code == 403
    reply = await client.patch(f"/points/{mine['point']['id']}", json={"threshold_kw": 1})
    assert reply.status_code == 403
    assert (await client.delete(f"/facilities/{mine['facility']['id']}")).status_code == 403


async def test_the_service_role_reads_every_enterprise_and_admin_writes_anywhere(
    api: ApiFactory, two_counties: dict[str, Any]
) -> None:
    service = api(Role.SERVICE)
    for county in (CANGXIAN, RENQIU):
        assert (
            await service.get(f"/enterprises/{two_counties[county]['enterprise']['ps_id']}/topology")
        ).status_code == 200
    admin = api(Role.ADMIN)
    reply = await admin.patch(f"/points/{two_counties[RENQIU]['point']['id']}", json={"threshold_kw": 3})
    assert reply.status_code == 200


async def test_the_enforcement_client_does_not_read_the_registry(api: ApiFactory, two_counties: dict[str, Any]) -> None:
    enforcement = api(Role.ENFORCEMENT)
    ps_id = two_counties[CANGXIAN]["enterprise"]["ps_id"]
    assert (await enforcement.get(f"/enterprises/{ps_id}")).status_code == 403


async def test_no_token_is_401(registry_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{registry_url}/api/registry") as anonymous:
        assert (await anonymous.get("/enterprises")).status_code == 401
