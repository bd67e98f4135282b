"""The province's read API (role province): what was pushed and how it was disposed of, dispositions as
they arrive, and the registry sync — full, then the changes since a cursor, read from the real registry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import register_works
from fbjd_testing.plugin import serve
from pydantic import SecretStr

if TYPE_CHECKING:
    from conftest import Bridge, BridgeFactory, RecordFactory

XINHUA = "130902"


def _disposition(record: dict[str, Any], stage: str, **extra: Any) -> dict[str, Any]:
    return {
        "alarm_id": record["id"],
        "ps_id": record["ps_id"],
        "stage": stage,
        "opinion": None,
        "at": datetime.now(UTC).isoformat(),
        "inspection": None,
        **extra,
    }


async def test_the_province_reads_what_was_pushed_and_how_it_was_disposed_of(
    bridge: Bridge, make_record: RecordFactory
) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id, start="2026-03-01T02:00:00Z", end="2026-03-01T02:30:00Z")
    await bridge.post_record(record)
    await bridge.sender().drain_until_idle()
    await bridge.post_record({**record, "version": 2, "end": "2026-03-01T03:00:00Z"})  # waits in the outbox

    service = bridge.api(Role.SERVICE)
    rejected = _disposition(record, "rejected", opinion="无正当理由，审核不通过")
    inspection = {"officer": "王执法", "result": "现场核实：治理设施未运行", "photos": 2}
    inspected = _disposition(record, "inspected", inspection=inspection)
    for body in (rejected, inspected):
        reply = await service.post("/dispositions", json=body)
        assert reply.status_code == 202 and reply.json()["accepted"] is True
    again = await service.post("/dispositions", json=rejected)
    assert again.status_code == 202 and again.json()["accepted"] is False  # idempotent per (alarm, stage)

    province = bridge.api(Role.PROVINCE)
    page = (await province.get("/province/abnormals", params={"since": since})).json()
    [item] = [i for i in page["items"] if i["id"] == record["id"]]
    assert item["version"] == 2 and item["status"] == "open" and item["record"]["end"] == "2026-03-01T03:00:00Z"
    assert item["push"]["state"] == "pending" and item["push"]["sent_version"] == 1
    assert item["push"]["endpoint"] == "abnormal" and item["push"]["sent_item"]["exTimeEnd"] == "2026-03-01 10:30:00"
    assert [(d["stage"], d["opinion"]) for d in item["dispositions"]] == [
        ("rejected", "无正当理由，审核不通过"),
        ("inspected", None),
    ]
    assert item["dispositions"][1]["inspection"] == inspection
    assert page["next_since"] is not None

    dispositions = (await province.get("/province/dispositions", params={"since": since})).json()
    mine = [d for d in dispositions["items"] if d["alarm_id"] == record["id"]]
    assert [d["stage"] for d in mine] == ["rejected", "inspected"]

    await bridge.sender().drain_until_idle()
    page = (await province.get("/province/abnormals", params={"since": since})).json()
    [item] = [i for i in page["items"] if i["id"] == record["id"]]
    assert item["push"]["state"] == "sent" and item["push"]["sent_version"] == 2

    later = (await province.get("/province/abnormals", params={"since": page["next_since"]})).json()
    assert all(i["updated_at"] >= page["next_since"] for i in later["items"])


async def test_the_read_api_is_for_the_province_and_the_city(bridge: Bridge) -> None:
    for path in ("/province/abnormals", "/province/dispositions", "/province/registry"):
        for role in (Role.ENTERPRISE, Role.COUNTY, Role.ENFORCEMENT, Role.SERVICE):
            assert (await bridge.api(role).get(path)).status_code == 403, (path, role)
    for role in (Role.PROVINCE, Role.CITY):
        assert (await bridge.api(role).get("/province/dispositions")).status_code == 200
    bad = await bridge.api(Role.PROVINCE).get("/province/abnormals", params={"since": "yesterday"})
    assert bad.status_code == 422


# --- registry sync, against the real registry over HTTP ---------------------------------------------------


@pytest.fixture
async def registry_url(database_url: str, jwt_secret: str) -> AsyncIterator[str]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime.now(UTC)))
    await engine.dispose()
    settings = RegistrySettings(database_url=database_url, jwt_secret=SecretStr(jwt_secret))
    async with serve(create_registry_app(settings)) as url:
        yield url


async def _enterprise_with_topology(client: httpx.AsyncClient) -> dict[str, Any]:
    return await register_works(
        client,
        XINHUA,
        name="沧州市同步测试化工有限公司",
        industry="化工",
        production=("1#反应釜", "1#反应釜-搅拌电机"),
        treatment=("喷淋塔", "喷淋塔-1#循环泵", "喷淋塔-2#循环泵"),
    )


def _mine(pull: dict[str, Any], ps_id: str) -> dict[str, list[dict[str, Any]]]:
    lists = ("enterprises", "productorEquips", "treatments", "ammeters", "relations")
    return {name: [item for item in pull[name] if item["psId"] == ps_id] for name in lists}


async def test_registry_sync_full_then_changes_since_a_cursor(
    bridge_factory: BridgeFactory, registry_url: str, make_token: Any
) -> None:
    headers = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    async with httpx.AsyncClient(base_url=f"{registry_url}/api/registry", headers=headers, timeout=30) as registry:
        made = await _enterprise_with_topology(registry)
        ps_id = made["ps_id"]
        async with bridge_factory(registry_url=registry_url) as bridge:
            province = bridge.api(Role.PROVINCE)
            full = (await province.get("/province/registry")).json()
            assert full["full"] is True
            mine = _mine(full, ps_id)
            [enterprise] = mine["enterprises"]
            assert (enterprise["psId"], enterprise["regionCode"], enterprise["regionName"], enterprise["industry"]) == (
                ps_id,
                XINHUA,
                "新华区",
                "化工",
            )
            assert mine["productorEquips"] == [
                {
                    "productorEquipId": made["production"]["id"],
                    "productorEquipName": "1#反应釜",
                    "psId": ps_id,
                    "process": None,
                    "ratedPower": None,
                }
            ]
            assert [t["treatmentId"] for t in mine["treatments"]] == [made["treatment"]["id"]]
            ammeters = {a["ammeterId"]: a for a in mine["ammeters"]}
            pair = ",".join(sorted([made["main"]["id"], made["standby"]["id"]]))
            assert ",".join(sorted(ammeters[made["main"]["id"]]["treatmentAmmeterIds"].split(","))) == pair
            assert ammeters[made["main"]["id"]]["equipId"] == made["treatment"]["id"]
            assert ammeters[made["main"]["id"]]["ammeterType"] == "治污"
            assert ammeters[made["main"]["id"]]["threshold"] == "10"
            assert ammeters[made["production_point"]["id"]]["treatmentAmmeterIds"] is None
            assert mine["relations"] == [
                {
                    "relationId": made["link"]["id"],
                    "psId": ps_id,
                    "productorEquipId": made["production"]["id"],
                    "treatmentId": made["treatment"]["id"],
                }
            ]

            unchanged = (await province.get("/province/registry", params={"cursor": full["cursor"]})).json()
            assert unchanged["full"] is False and all(v == [] for v in _mine(unchanged, ps_id).values())

            patched = await registry.patch(f"/points/{made['main']['id']}", json={"threshold_kw": 12.5})
            assert patched.status_code == 200, patched.text
            changes = (await province.get("/province/registry", params={"cursor": unchanged["cursor"]})).json()
            assert int(changes["cursor"]) > int(unchanged["cursor"])
            changed = _mine(changes, ps_id)
            assert [(a["ammeterId"], a["threshold"]) for a in changed["ammeters"]] == [(made["main"]["id"], "12.5")]
            assert changed["enterprises"] == [] and changed["relations"] == []

            assert (await province.get("/province/registry", params={"cursor": "abc"})).status_code == 422
