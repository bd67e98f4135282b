"""Tamper-evident disposition history: every event of an alarm (and of a maintenance ticket) is linked to the one
before it by a sha256 hash; an edit made with SQL around the append-only trigger is found by the verification."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import asyncpg
import pytest
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn

if TYPE_CHECKING:
    from conftest import Desk

GENESIS = "0" * 64


@pytest.fixture
async def sql(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A database session as an administrator would have it: triggers off (session_replication_role)."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    await connection.execute("SET session_replication_role = replica")
    try:
        yield connection
    finally:
        await connection.close()


async def _disposed(desk: Desk) -> dict[str, Any]:
    """An alarm escalated to the city and approved: open, escalate, approve."""
    record = await desk.raise_alarm()
    await desk.escalate(record)
    await desk.review(record, "approve", "企业已提供检修记录，同意办结")
    return record


async def test_each_step_links_to_the_one_before_and_the_history_verifies(desk: Desk) -> None:
    record = await _disposed(desk)
    events = (await desk.read(record["id"]))["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and len(events) >= 3
    assert events[0]["prev_hash"] == GENESIS
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(events, events[1:], strict=False))
    verdict = (await desk.city.get(f"/alarms/{record['id']}/history/verify")).json()
    assert verdict == {"ok": True, "checked": len(events), "chains": 1, "first_broken": None}


async def test_a_reason_rewritten_with_sql_is_found_at_that_event(desk: Desk, sql: asyncpg.Connection) -> None:
    record, untouched = await _disposed(desk), await _disposed(desk)
    events = (await desk.read(record["id"]))["events"]
    await sql.execute(
        "UPDATE workflow.alarm_events SET reason = '企业已在 30 分钟内处理' WHERE alarm_id = $1 AND seq = 2",
        uuid.UUID(record["id"]),
    )
    verdict = (await desk.city.get(f"/alarms/{record['id']}/history/verify")).json()
    assert verdict["ok"] is False
    broken = verdict["first_broken"]
    assert broken["seq"] == 2 and broken["event_id"] == events[1]["id"] and "内容被改动" in broken["reason"]
    assert broken["kind"] == "alarm" and broken["subject_id"] == record["id"]
    audit = (await desk.city.get("/audit/verify", params={"ps_id": record["ps_id"]})).json()
    assert audit["ok"] is False and audit["first_broken"] == broken
    others = (await desk.city.get("/audit/verify", params={"ps_id": untouched["ps_id"]})).json()
    assert others["ok"] is True and others["checked"] >= 3


async def test_the_newest_event_deleted_with_sql_is_found(desk: Desk, sql: asyncpg.Connection) -> None:
    record = await _disposed(desk)
    await sql.execute(
        "DELETE FROM workflow.alarm_events WHERE alarm_id = $1"
        " AND seq = (SELECT max(seq) FROM workflow.alarm_events WHERE alarm_id = $1)",
        uuid.UUID(record["id"]),
    )
    verdict = (await desk.city.get(f"/alarms/{record['id']}/history/verify")).json()
    assert verdict["ok"] is False and "链头" in verdict["first_broken"]["reason"]


async def test_a_middle_event_deleted_with_sql_is_found(desk: Desk, sql: asyncpg.Connection) -> None:
    record = await _disposed(desk)
    await sql.execute("DELETE FROM workflow.alarm_events WHERE alarm_id = $1 AND seq = 2", uuid.UUID(record["id"]))
    verdict = (await desk.city.get(f"/alarms/{record['id']}/history/verify")).json()
    assert verdict["ok"] is False and verdict["first_broken"]["seq"] == 3


async def test_the_trigger_still_refuses_an_ordinary_update(desk: Desk, database_url: str) -> None:
    record = await desk.raise_alarm()
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute(
                "UPDATE workflow.alarm_events SET reason = 'x' WHERE alarm_id = $1", uuid.UUID(record["id"])
            )
    finally:
        await connection.close()


async def test_a_ticket_event_edited_with_sql_fails_the_enterprises_audit(desk: Desk, sql: asyncpg.Connection) -> None:
    ps_id = uuid.uuid4().hex
    finding = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "kind": "transmission_low",
        "ps_id": ps_id,
        "county": "130921",
        "point_id": "pt-fan-1",
        "start": "2026-10-01T00:00:00+08:00",
        "end": "2026-11-01T00:00:00+08:00",
        "status": "open",
        "message": "测点2026-10数据传输率84.0%，低于90%，需运维检修",
    }
    ticket_id = (await desk.rules.post("/maintenance/findings", json=finding)).json()["ticket_id"]
    enterprise = desk.api(Role.ENTERPRISE, subject="ent-ops", enterprise_id=ps_id)
    await enterprise.post(f"/maintenance/{ticket_id}/resolve", json={"text": "更换天线，信号恢复"})
    assert (await enterprise.get("/audit/verify")).json()["ok"] is True
    assert (await enterprise.get(f"/maintenance/{ticket_id}/history/verify")).json()["checked"] == 2
    await sql.execute(
        "UPDATE workflow.maintenance_ticket_events SET actor = 'someone-else' WHERE ticket_id = $1 AND seq = 2",
        uuid.UUID(ticket_id),
    )
    audit = (await enterprise.get("/audit/verify", params={"ps_id": ps_id})).json()
    assert audit["ok"] is False
    assert audit["first_broken"]["kind"] == "ticket" and audit["first_broken"]["subject_id"] == ticket_id
    assert (await enterprise.get(f"/maintenance/{ticket_id}/history/verify")).json()["ok"] is False


async def test_an_enterprise_verifies_only_its_own_histories(desk: Desk) -> None:
    mine, theirs = await desk.raise_alarm(), await desk.raise_alarm()
    me = desk.enterprise(mine)
    own = (await me.get("/audit/verify", params={"ps_id": mine["ps_id"]})).json()
    assert own["ok"] is True and own["chains"] == 1
    other = (await me.get("/audit/verify", params={"ps_id": theirs["ps_id"]})).json()
    assert other == {"ok": True, "checked": 0, "chains": 0, "first_broken": None}
    assert (await me.get(f"/alarms/{theirs['id']}/history/verify")).status_code == 404
