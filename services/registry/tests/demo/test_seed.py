"""The demo city: 沧州市 with its 16 counties, about 50 enterprises across the 23 industries, the notice's ceramics
example, one device per enterprise; seeding twice changes nothing."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_registry.demo_catalogue import BUILDERS, OPERATORS
from fbjd_registry.enterprises.credit_code import credit_code_problem
from fbjd_registry.vocabulary import Industry
from hj212.factors import Quantity, get_profile

if TYPE_CHECKING:
    from conftest import ApiFactory

CERAMICS = "沧州市华信陶瓷有限公司"
COUNTIES = (
    "运河区 新华区 沧县 青县 东光县 海兴县 盐山县 肃宁县 南皮县 吴桥县 献县 孟村回族自治县 泊头市 任丘市 黄骅市 河间市"
)


@pytest.fixture(scope="module")
async def seeded(registry_url: str, make_token: Any) -> dict[str, Any]:
    """Seeds the demo (twice) through the API as admin; both answers."""
    headers = {"Authorization": f"Bearer {make_token(Role.ADMIN)}"}
    async with httpx.AsyncClient(base_url=f"{registry_url}/api/registry", headers=headers, timeout=60) as admin:
        first = await admin.post("/demo/seed")
        second = await admin.post("/demo/seed")
    assert first.status_code == second.status_code == 200, first.text
    return {"first": first.json(), "second": second.json()}


def _demo_ps_ids(enterprises: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in enterprises if e["ps_id"] == hashlib.md5(e["name"].encode()).hexdigest()]


async def test_seeding_twice_creates_the_city_once(seeded: dict[str, Any], city: httpx.AsyncClient) -> None:
    assert seeded["second"] == {
        "enterprises_created": 0,
        "enterprises_existing": 50,
        "points_created": 0,
        "vendors_created": 0,
        "assignments_created": 0,
    }
    assert seeded["first"]["enterprises_created"] + seeded["first"]["enterprises_existing"] == 50
    (cangzhou,) = [c for c in (await city.get("/regions")).json() if c["code"] == "130900"]
    assert sorted(c["name"] for c in cangzhou["counties"]) == sorted(COUNTIES.split())


async def test_only_admin_may_seed(seeded: dict[str, Any], city: httpx.AsyncClient) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    assert (await city.post("/demo/seed")).status_code == 403


async def test_fifty_enterprises_cover_the_23_industries_with_valid_codes_and_pass_the_audit(
    seeded: dict[str, Any], city: httpx.AsyncClient
) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    demo = _demo_ps_ids((await city.get("/enterprises", params={"limit": 5000})).json())
    assert len(demo) == 50
    assert {e["industry"] for e in demo} == {i.value for i in Industry}
    assert all(credit_code_problem(e["credit_code"]) is None for e in demo)
    assert {e["stage"] for e in demo} == {"planned", "installing", "networked", "accepted"}
    for enterprise in demo[:10]:
        latest = (await city.get(f"/enterprises/{enterprise['ps_id']}/audit/latest")).json()
        assert (latest["errors"], latest["warnings"]) == (0, 0), latest["findings"]


async def test_the_notices_ceramics_example_is_wired_as_the_notice_describes(
    seeded: dict[str, Any], city: httpx.AsyncClient
) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    ps_id = hashlib.md5(CERAMICS.encode()).hexdigest()
    topology = (await city.get(f"/enterprises/{ps_id}/topology")).json()
    name = {f["id"]: f["name"] for f in topology["facilities"]}
    serves: dict[str, set[str]] = {}
    for link in topology["links"]:
        serves.setdefault(name[link["treatment_facility_id"]], set()).add(name[link["production_facility_id"]])
    assert serves["脱硫塔"] == {"喷雾干燥塔", "1#烧成窑", "2#烧成窑"}
    assert serves["烧成窑脱硝系统"] == {"1#烧成窑", "2#烧成窑"}
    assert serves["喷雾干燥塔布袋除尘器"] == serves["喷雾干燥塔旋风除尘器"] == {"喷雾干燥塔"}
    assert serves["压制机布袋除尘器"] == {f"压制机{n}" for n in range(1, 5)}
    assert serves["磨抛机布袋除尘器"] == {f"磨抛机{n}" for n in range(1, 6)}
    assert "喷雾干燥塔布袋除尘器-收尘风机" in {p["name"] for p in topology["points"]}
    plans = (await city.get(f"/enterprises/{ps_id}/control-plans")).json()
    assert {p["level"] for p in plans} == {"red", "orange", "yellow"}


async def test_each_device_carries_its_enterprises_points_on_hj212_2025_electricity_channels(
    seeded: dict[str, Any], api: ApiFactory
) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    devices = (await api(Role.SERVICE).get("/devices")).json()
    demo = [d for d in devices if d["ps_id"] == hashlib.md5(d["enterprise_name"].encode()).hexdigest()]
    assert len(demo) == 50 and len({d["mn"] for d in demo}) == 50
    profile = get_profile("hj212-2025-electric")
    for device in demo:
        assert re.fullmatch(r"[0-9A-F]{24}", device["mn"]) and re.fullmatch(r"\d{6}", device["demo_password"])
        codes = [p["factor_code"] for p in device["points"]]
        assert len(codes) == len(set(codes))
        for point in device["points"]:
            power, energy = profile.match(point["factor_code"]), profile.match(point["energy_factor_code"])
            assert power.meaning is not None and power.meaning.quantity is Quantity.ACTIVE_POWER_KW
            assert energy.meaning is not None and energy.meaning.quantity is Quantity.ENERGY_KWH
            assert power.group == ("treatment" if point["role"] == "treatment" else "production")
            assert point["threshold_kw"] < point["rated_kw"]
            if point["role"] in {"production", "treatment"}:
                assert point["facility"] is not None and point["linked_facilities"]
    (ceramics,) = [d for d in demo if d["enterprise_name"] == CERAMICS]
    fan = next(p for p in ceramics["points"] if p["name"] == "喷雾干燥塔布袋除尘器-收尘风机")
    assert [f["name"] for f in fan["linked_facilities"]] == ["喷雾干燥塔"]


async def test_devices_are_scoped_and_passwords_go_only_to_machines(seeded: dict[str, Any], api: ApiFactory) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    county = (await api(Role.COUNTY, county="130981").get("/devices")).json()
    assert county and {d["county_code"] for d in county} == {"130981"}
    assert {d["demo_password"] for d in county} == {None}
    ps_id = hashlib.md5(CERAMICS.encode()).hexdigest()
    own = (await api(Role.ENTERPRISE, enterprise_id=ps_id).get("/devices")).json()
    assert [d["ps_id"] for d in own] == [ps_id]


async def test_the_seed_is_a_function_of_a_session_too_and_logs_what_it_did(
    seeded: dict[str, Any], sessionmaker: Any, registry_logs_at_info: pytest.LogCaptureFixture
) -> None:
    assert seeded["second"]["enterprises_existing"] == 50
    from fbjd_registry.demo import seed

    async with sessionmaker.begin() as session:
        result = await seed(session)
    assert (result.enterprises_created, result.enterprises_existing, result.assignments_created) == (0, 50, 0)
    (record,) = [r for r in registry_logs_at_info.records if r.getMessage() == "demo seeded"]
    assert record.__dict__["enterprises_existing"] == 50


async def test_every_demo_enterprise_has_its_builder_and_every_installed_one_its_operator(
    seeded: dict[str, Any], city: httpx.AsyncClient
) -> None:
    """4 builders and the 3 operators the registrations name; 50 builder and 45 operator assignments (the 5
    enterprises still at the planning stage have no operator yet)."""
    assert seeded["second"]["vendors_created"] == 0
    kinds = {v["name"]: v["kind"] for v in (await city.get("/vendors")).json()}
    assert {kinds.get(v.name) for v in BUILDERS} == {"builder"}
    assert {kinds.get(v.name) for v in OPERATORS} == {"operator"}
    enterprises = _demo_ps_ids((await city.get("/enterprises", params={"limit": 5000})).json())
    builders = operators = 0
    for enterprise in enterprises:
        assigned = (await city.get(f"/enterprises/{enterprise['ps_id']}/vendors")).json()
        by_role = {a["role"]: a["vendor_name"] for a in assigned}
        assert len(assigned) == len(by_role) and by_role["builder"] in {v.name for v in BUILDERS}
        if enterprise["stage"] == "planned":
            assert "operator" not in by_role, enterprise["name"]
        else:
            assert by_role["operator"] == enterprise["operator_name"], enterprise["name"]
        builders += "builder" in by_role
        operators += "operator" in by_role
    assert (builders, operators) == (50, 45)


async def test_a_vendors_quality_counts_the_points_of_the_enterprises_it_built(
    seeded: dict[str, Any], city: httpx.AsyncClient
) -> None:
    assert seeded["second"]["assignments_created"] == 0
    (builder,) = [v for v in (await city.get("/vendors")).json() if v["name"] == BUILDERS[0].name]
    quality = (await city.get(f"/vendors/{builder['id']}/quality")).json()
    assert quality["enterprises"] == 13 and not quality["blacklisted"]  # enterprises 0, 4, … 48 of the catalogue
    assert quality["points"] == sum(e["points"] for e in quality["by_enterprise"]) > 13
    assert CERAMICS in {e["name"] for e in quality["by_enterprise"]}
