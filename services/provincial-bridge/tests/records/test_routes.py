"""POST /abnormals: idempotent by id and version, the outbox row written with the record, withdrawals,
and who may call what."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
import pytest
from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Bridge, BridgeFactory, Eventually, Province, RecordFactory


async def test_the_same_or_an_older_version_is_a_no_op(bridge: Bridge, make_record: RecordFactory) -> None:
    record = make_record(uuid.uuid4().hex)
    assert (await bridge.post_record(record))["outbox"] == "queued"
    again = await bridge.post_record(record)
    assert again["accepted"] is False and again["outbox"] == "ignored"
    await bridge.post_record({**record, "version": 3, "end": "2026-03-01T03:00:00Z"})
    older = await bridge.post_record({**record, "version": 2})
    assert older["accepted"] is False and older["detail"] == "version 3 is already here"
    assert await bridge.outbox_states(record["id"]) == [(1, "superseded"), (3, "pending")]


async def test_a_record_withdrawn_before_its_push_is_not_pushed(
    bridge: Bridge, province: Province, make_record: RecordFactory
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id)
    await bridge.post_record(record)
    withdrawn = await bridge.post_record({**record, "version": 2, "status": "withdrawn"})
    assert withdrawn["outbox"] == "not_pushed"
    await bridge.sender().drain_until_idle()
    assert province.records(ps_id) == []
    assert await bridge.outbox_states(record["id"]) == [(1, "superseded")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-03-01T02:00:00"}, "start"),  # naive: UTC in, never a guess
        ({"ps_id": "ABC"}, "ps_id"),
        ({"type": "something_else"}, "type"),
        ({"version": 0}, "version"),
    ],
)
async def test_a_malformed_record_is_refused_with_the_field(
    bridge: Bridge, make_record: RecordFactory, change: dict[str, object], field: str
) -> None:
    reply = await bridge.api(Role.SERVICE).post("/abnormals", json={**make_record(uuid.uuid4().hex), **change})
    assert reply.status_code == 422 and field in reply.text


async def test_roles(bridge: Bridge, make_record: RecordFactory) -> None:
    record = make_record(uuid.uuid4().hex)
    for role in (Role.CITY, Role.PROVINCE, Role.ENTERPRISE, Role.COUNTY):
        assert (await bridge.api(role).post("/abnormals", json=record)).status_code == 403
        assert (await bridge.api(role).post("/dispositions", json={})).status_code == 403
    for role in (Role.PROVINCE, Role.SERVICE, Role.ENTERPRISE, Role.COUNTY):
        assert (await bridge.api(role).get("/status")).status_code == 403
        assert (await bridge.api(role).get("/dead-letters")).status_code == 403
    assert (await bridge.api(Role.ADMIN).post("/abnormals", json=record)).status_code == 202
    async with httpx.AsyncClient(base_url=f"{bridge.url}/api/bridge") as anonymous:
        assert (await anonymous.post("/abnormals", json=record)).status_code == 401


async def test_the_running_service_pushes_in_real_time(
    bridge_factory: BridgeFactory, province: Province, make_record: RecordFactory, eventually: Eventually
) -> None:
    ps_id = uuid.uuid4().hex
    async with bridge_factory(province_base_url=province.url, sender_enabled=True, outbox_poll_seconds=30) as bridge:
        assert (await bridge.status())["abnormal"]["backlog"] == 0
        status = (await bridge.api(Role.CITY).get("/status")).json()
        assert status["sender_running"] is True and status["province_base_url"] == province.url
        await bridge.post_record(make_record(ps_id))

        async def at_the_province() -> bool:
            return len(province.records(ps_id)) == 1

        await eventually(at_the_province, timeout=3)  # woken by the arrival, not by the 30 s poll


async def test_without_a_province_url_records_wait_in_the_outbox(
    bridge_factory: BridgeFactory, make_record: RecordFactory
) -> None:
    async with bridge_factory(province_base_url=None, sender_enabled=True) as bridge:
        await bridge.post_record(make_record(uuid.uuid4().hex))
        status = (await bridge.api(Role.CITY).get("/status")).json()
    assert status["province_base_url"] is None and status["sender_running"] is False
    assert {e["endpoint"]: e["backlog"] for e in status["endpoints"]} == {"abnormal": 1, "limit": 0}
