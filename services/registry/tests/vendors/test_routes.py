"""Technical units: validation, assignments, quality summary, the city's blacklist, scopes, change log."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_registry.changes.models import Change
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

CANGXIAN, RENQIU = "130921", "130982"


def vendor_payload(make_credit_code: Callable[..., str], **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": f"河北环测科技有限公司{random.randint(10000, 99999)}",
        "credit_code": make_credit_code("130902"),
        "kind": "builder",
        "contact_name": "王工",
        "contact_phone": "13803170002",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def new_vendor(city: httpx.AsyncClient, make_credit_code: Callable[..., str]) -> Callable[..., Any]:
    async def create(**overrides: Any) -> dict[str, Any]:
        reply = await city.post("/vendors", json=vendor_payload(make_credit_code, **overrides))
        assert reply.status_code == 201, reply.text
        result: dict[str, Any] = reply.json()
        return result

    return create


def _problems(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 422, reply.text
    return {p["field"]: p["message"] for p in reply.json()["error"]["problems"]}


async def test_a_vendor_is_registered_and_logged(
    city: httpx.AsyncClient, new_vendor: Callable[..., Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    vendor = await new_vendor(kind="operator")
    assert (await city.get(f"/vendors/{vendor['id']}")).json() == vendor
    assert vendor["id"] in [v["id"] for v in (await city.get("/vendors", params={"kind": "operator"})).json()]
    assert vendor["id"] not in [v["id"] for v in (await city.get("/vendors", params={"kind": "builder"})).json()]
    reply = await city.patch(f"/vendors/{vendor['id']}", json={"contact_phone": "0317-2025556"})
    assert reply.status_code == 200 and reply.json()["contact_phone"] == "0317-2025556"
    listed = await city.post("/vendor-blacklist", json={"vendor_id": vendor["id"], "reason": "连续两次验收不合格"})
    async with sessionmaker() as session:
        logged = (
            await session.scalars(
                select(Change).where(Change.entity_id.in_([vendor["id"], listed.json()["id"]])).order_by(Change.seq)
            )
        ).all()
    assert [(c.entity, c.action, c.ps_id) for c in logged] == [
        ("vendor", "create", None),
        ("vendor", "update", None),
        ("vendor_blacklist", "create", None),
    ]
    assert logged[1].old is not None and logged[1].new is not None
    assert (logged[1].old["contact_phone"], logged[1].new["contact_phone"]) == ("13803170002", "0317-2025556")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("credit_code", "91130902MA0ABCDEF", "须为18位"),
        ("credit_code", "91130902MA0ABCDEFI", "不允许的字符"),
        ("kind", "installer", "须为以下之一"),
        ("contact_phone", "12345", "须为手机号"),
        ("name", "   ", "不能只填空格"),
    ],
)
async def test_a_bad_vendor_field_is_refused_with_a_clear_message(
    city: httpx.AsyncClient, make_credit_code: Callable[..., str], field: str, value: str, expected: str
) -> None:
    payload = vendor_payload(make_credit_code, **{field: value})
    problems = _problems(await city.post("/vendors", json=payload))
    assert list(problems) == [field] and expected in problems[field]
    assert payload["name"] not in [v["name"] for v in (await city.get("/vendors")).json()]


async def test_a_wrong_check_character_is_named(city: httpx.AsyncClient, make_credit_code: Callable[..., str]) -> None:
    code = make_credit_code("130902")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    problems = _problems(await city.post("/vendors", json=vendor_payload(make_credit_code, credit_code=wrong)))
    assert f"应为 {code[17]}" in problems["credit_code"]


async def test_a_credit_code_is_registered_once(
    city: httpx.AsyncClient, new_vendor: Callable[..., Any], make_credit_code: Callable[..., str]
) -> None:
    vendor = await new_vendor()
    reply = await city.post("/vendors", json=vendor_payload(make_credit_code, credit_code=vendor["credit_code"]))
    assert reply.status_code == 409 and vendor["name"] in reply.json()["error"]["message"]


async def test_assignments_check_the_vendors_kind_and_are_logged(
    city: httpx.AsyncClient, build: Builder, new_vendor: Callable[..., Any]
) -> None:
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    builder, operator = await new_vendor(kind="builder"), await new_vendor(kind="operator")
    problems = _problems(
        await city.post(f"/enterprises/{ps_id}/vendors", json={"vendor_id": builder["id"], "role": "operator"})
    )
    assert "登记为建设厂商" in problems["role"]
    built = await city.post(f"/enterprises/{ps_id}/vendors", json={"vendor_id": builder["id"], "role": "builder"})
    assert built.status_code == 201, built.text
    run = await city.post(f"/enterprises/{ps_id}/vendors", json={"vendor_id": operator["id"], "role": "operator"})
    assert run.status_code == 201
    again = await city.post(f"/enterprises/{ps_id}/vendors", json={"vendor_id": operator["id"], "role": "operator"})
    assert again.status_code == 409
    listed = (await city.get(f"/enterprises/{ps_id}/vendors")).json()
    assert {(a["vendor_name"], a["role"]) for a in listed} == {
        (builder["name"], "builder"),
        (operator["name"], "operator"),
    }
    assert (await city.delete(f"/enterprises/{ps_id}/vendors/{run.json()['id']}")).status_code == 204
    assert len((await city.get(f"/enterprises/{ps_id}/vendors")).json()) == 1
    history = (await city.get(f"/enterprises/{ps_id}/changes", params={"entity": "vendor_assignment"})).json()
    assert sorted(h["action"] for h in history) == ["create", "create", "delete"]
    # a vendor whose kind would contradict its assignments keeps it
    assert (await city.patch(f"/vendors/{builder['id']}", json={"kind": "operator"})).status_code == 409


async def test_the_quality_summary_counts_enterprises_points_and_audit_findings(
    api: ApiFactory, city: httpx.AsyncClient, build: Builder, new_vendor: Callable[..., Any]
) -> None:
    vendor = await new_vendor(kind="builder")
    good = await build.enterprise(county_code=CANGXIAN)
    kiln = await build.facility(good["ps_id"], "1#烧成窑")
    fgd = await build.facility(good["ps_id"], "脱硫塔", kind="treatment")
    await build.point(good["ps_id"], kiln, "1#烧成窑-助燃风机")
    await build.point(good["ps_id"], fgd, "脱硫塔-循环泵")
    await build.link(good["ps_id"], kiln, fgd)
    bad = await build.enterprise(county_code=RENQIU)
    dryer = await build.facility(bad["ps_id"], "喷雾干燥塔")  # needs treatment, has none: audit errors
    await build.point(bad["ps_id"], dryer, "电表1")
    for e in (good, bad):
        reply = await city.post(
            f"/enterprises/{e['ps_id']}/vendors", json={"vendor_id": vendor["id"], "role": "builder"}
        )
        assert reply.status_code == 201

    summary = (await city.get(f"/vendors/{vendor['id']}/quality")).json()
    assert summary["enterprises"] == 2 and summary["points"] == 3
    assert summary["points_by_role"] == {"production": 2, "treatment": 1}
    assert summary["enterprises_audited"] == 2
    audit_of_bad = (await city.get(f"/enterprises/{bad['ps_id']}/audit")).json()
    rows = {row["ps_id"]: row for row in summary["by_enterprise"]}
    assert rows[bad["ps_id"]]["audit_errors"] == audit_of_bad["errors"] > 0
    assert summary["enterprises_passing_audit"] == (1 if rows[good["ps_id"]]["audit_errors"] == 0 else 0)
    assert summary["findings_by_category"].get("points_incomplete", 0) >= 1
    assert summary["audit_errors"] == sum(r["audit_errors"] for r in rows.values())

    county = (await api(Role.COUNTY, county=CANGXIAN).get(f"/vendors/{vendor['id']}/quality")).json()
    assert [r["ps_id"] for r in county["by_enterprise"]] == [good["ps_id"]] and county["points"] == 2
    mine = (await api(Role.ENTERPRISE, enterprise_id=bad["ps_id"]).get(f"/vendors/{vendor['id']}/quality")).json()
    assert [r["ps_id"] for r in mine["by_enterprise"]] == [bad["ps_id"]]


async def test_the_city_publishes_the_blacklist_to_every_signed_in_role(
    api: ApiFactory, city: httpx.AsyncClient, build: Builder, new_vendor: Callable[..., Any]
) -> None:
    vendor = await new_vendor(kind="operator")
    listed = await city.post("/vendor-blacklist", json={"vendor_id": vendor["id"], "reason": "弄虚作假，篡改监测数据"})
    assert listed.status_code == 201, listed.text
    assert listed.json()["vendor_name"] == vendor["name"] and listed.json()["removed_at"] is None
    again = await city.post("/vendor-blacklist", json={"vendor_id": vendor["id"], "reason": "再次列入黑名单"})
    assert again.status_code == 409

    enterprise = await build.enterprise()
    for role, scope in (
        (Role.CITY, {}),
        (Role.COUNTY, {"county": CANGXIAN}),
        (Role.ENTERPRISE, {"enterprise_id": enterprise["ps_id"]}),
        (Role.PROVINCE, {}),
        (Role.ENFORCEMENT, {}),
        (Role.SERVICE, {}),
    ):
        reply = await api(role, **scope).get("/vendor-blacklist")
        assert reply.status_code == 200, role
        entry = next(e for e in reply.json() if e["vendor_id"] == vendor["id"])
        assert entry["reason"] == "弄虚作假，篡改监测数据"

    # a blacklisted vendor is given no new enterprise
    reply = await city.post(
        f"/enterprises/{enterprise['ps_id']}/vendors", json={"vendor_id": vendor["id"], "role": "operator"}
    )
    assert reply.status_code == 409 and "黑名单" in reply.json()["error"]["message"]
    assert (await city.get(f"/vendors/{vendor['id']}/quality")).json()["blacklisted"] is True

    removed = await city.post(f"/vendor-blacklist/{vendor['id']}/removal", json={"reason": "整改完成，复核通过"})
    assert removed.status_code == 200 and removed.json()["removal_reason"] == "整改完成，复核通过"
    assert vendor["id"] not in [e["vendor_id"] for e in (await city.get("/vendor-blacklist")).json()]
    past = (await city.get("/vendor-blacklist", params={"include_removed": "true"})).json()
    assert vendor["id"] in [e["vendor_id"] for e in past]
    assert (
        await city.post(f"/vendor-blacklist/{vendor['id']}/removal", json={"reason": "再次移出"})
    ).status_code == 404
    reply = await city.post(
        f"/enterprises/{enterprise['ps_id']}/vendors", json={"vendor_id": vendor["id"], "role": "operator"}
    )
    assert reply.status_code == 201


async def test_a_blacklisting_needs_a_reason(city: httpx.AsyncClient, new_vendor: Callable[..., Any]) -> None:
    vendor = await new_vendor()
    problems = _problems(await city.post("/vendor-blacklist", json={"vendor_id": vendor["id"], "reason": ""}))
    assert "reason" in problems
    problems = _problems(
        await city.post(
            "/vendor-blacklist", json={"vendor_id": "00000000-0000-0000-0000-000000000000", "reason": "弄虚作假"}
        )
    )
    assert "不存在" in problems["vendor_id"]


async def test_only_the_city_lists_and_removes(api: ApiFactory, new_vendor: Callable[..., Any], build: Builder) -> None:
    vendor = await new_vendor()
    enterprise = await build.enterprise()
    body = {"vendor_id": vendor["id"], "reason": "弄虚作假，篡改监测数据"}
    for client in (
        api(Role.COUNTY, county=CANGXIAN),
        api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"]),
        api(Role.PROVINCE),
    ):
        assert (await client.post("/vendor-blacklist", json=body)).status_code == 403
        reply = await client.post(f"/vendor-blacklist/{vendor['id']}/removal", json={"reason": "整改完成"})
        assert reply.status_code == 403
    assert (await api(Role.ADMIN).post("/vendor-blacklist", json=body)).status_code == 201


async def test_vendor_and_assignment_writes_follow_the_scopes(
    api: ApiFactory,
    build: Builder,
    new_vendor: Callable[..., Any],
    make_credit_code: Callable[..., str],
) -> None:
    vendor = await new_vendor(kind="builder")
    mine = await build.enterprise(county_code=CANGXIAN)
    theirs = await build.enterprise(county_code=RENQIU)
    county = api(Role.COUNTY, county=CANGXIAN)
    body = {"vendor_id": vendor["id"], "role": "builder"}
    assert (await county.post(f"/enterprises/{mine['ps_id']}/vendors", json=body)).status_code == 201
    assert (await county.post(f"/enterprises/{theirs['ps_id']}/vendors", json=body)).status_code == 404
    assert (await county.get(f"/enterprises/{theirs['ps_id']}/vendors")).status_code == 404
    assert (await county.post("/vendors", json=vendor_payload(make_credit_code))).status_code == 201

    me = api(Role.ENTERPRISE, enterprise_id=mine["ps_id"])
    assert (await me.get(f"/enterprises/{mine['ps_id']}/vendors")).status_code == 200
    assert (await me.get(f"/enterprises/{theirs['ps_id']}/vendors")).status_code == 404
    assert (await me.post(f"/enterprises/{mine['ps_id']}/vendors", json=body)).status_code == 403
    assert (await me.post("/vendors", json=vendor_payload(make_credit_code))).status_code == 403
    assert (await me.patch(f"/vendors/{vendor['id']}", json={"contact_name": "李工"})).status_code == 403
    assert (await me.get(f"/vendors/{vendor['id']}")).status_code == 200
