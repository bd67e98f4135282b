"""Migration workflow_0004: a ticket open before the assigned → in_progress → closed process becomes assigned, with
the event that says so at the end of its hash chain (which still verifies), and can be worked at once; a closed
ticket is left as it was. The downgrade turns assigned and in-progress tickets back into open ones."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from alembic import command
from fbjd_core.auth import Principal, Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.ids import new_id
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.migrate import alembic_config
from fbjd_workflow.audit.chain import GENESIS, event_hash
from fbjd_workflow.audit.contents import ticket_event_content
from fbjd_workflow.audit.service import verify_ticket
from fbjd_workflow.maintenance import repository
from fbjd_workflow.maintenance.schemas import StartIn
from fbjd_workflow.maintenance.service import start

AT = datetime(2026, 11, 20, 1, 0, 0, 123456, tzinfo=UTC)


class _Row:
    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> object:
        return self._values[name]


async def _old_ticket(
    connection: asyncpg.Connection, ps_id: str, steps: list[tuple[str, str | None, str]]
) -> uuid.UUID:
    """A ticket and its chained events as workflow_0003 stored them (status open | closed, no operator)."""
    ticket_id, head = new_id(), GENESIS
    status = steps[-1][2]
    await connection.execute(
        """
        INSERT INTO workflow.maintenance_tickets (id, finding_id, finding_version, finding, finding_status, kind,
            severity, ps_id, enterprise_name, county, mn, problem, started_at, status, opened_at, updated_at,
            deadline_at, closed_at, close_reason)
        VALUES ($1, $2, 1, '{}', 'open', 'terminal_offline', 'general', $3, '沧州市旧工单陶瓷有限公司', '130921',
            'MN0001', '数采仪离线：超过3个数据间隔未收到数据', $4, $5, $4, $4, $6, $7, $8)
        """,
        ticket_id,
        uuid.uuid4(),
        ps_id,
        AT,
        status,
        AT + timedelta(hours=72),
        AT if status == "closed" else None,
        "finding_resolved" if status == "closed" else None,
    )
    for seq, (action, source, target) in enumerate(steps, start=1):
        event = {
            "id": new_id(),
            "ticket_id": ticket_id,
            "ps_id": ps_id,
            "at": AT + timedelta(minutes=seq),
            "actor": "rules",
            "role": "service",
            "action": action,
            "from_status": source,
            "to_status": target,
            "reason": f"旧事件 {action}",
            "detail": {},
            "seq": seq,
        }
        digest = event_hash(ticket_event_content(_Row(event)), head)
        await connection.execute(
            "INSERT INTO workflow.maintenance_ticket_events (id, ticket_id, ps_id, at, actor, role, action,"
            " from_status, to_status, reason, detail, seq, prev_hash, hash)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)",
            *(event[k] for k in ("id", "ticket_id", "ps_id", "at", "actor", "role", "action")),
            *(event[k] for k in ("from_status", "to_status", "reason")),
            json.dumps(event["detail"]),
            seq,
            head,
            digest,
        )
        head = digest
    await connection.execute(
        "UPDATE workflow.maintenance_tickets SET event_count = $1, head_hash = $2 WHERE id = $3",
        len(steps),
        head,
        ticket_id,
    )
    return ticket_id


async def _upgrade(url: str, target: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config("fbjd_workflow", url), target)


async def test_an_open_ticket_becomes_assigned_with_its_event_and_the_chain_still_verifies(
    empty_database: str,
) -> None:
    await _upgrade(empty_database, "workflow_0003")
    ps_id = uuid.uuid4().hex
    connection = await asyncpg.connect(asyncpg_dsn(empty_database))
    try:
        open_id = await _old_ticket(connection, ps_id, [("open", None, "open")])
        closed_id = await _old_ticket(connection, ps_id, [("open", None, "open"), ("auto_close", "open", "closed")])
    finally:
        await connection.close()
    await _upgrade(empty_database, "head")

    engine = make_engine(empty_database)
    try:
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            ticket = await repository.get(session, open_id)
            assert ticket is not None and ticket.status == "assigned" and ticket.operator_name is None
            events = await repository.events_of(session, open_id)
            assigned = events[-1]
            assert [e.action for e in events] == ["open", "assign"] and assigned.seq == 2
            assert (assigned.from_status, assigned.to_status, assigned.actor) == ("open", "assigned", "system")
            assert "已派单" in assigned.reason and ticket.head_hash == assigned.hash
            verdict = await verify_ticket(session, ticket_id=open_id, ps_id=ps_id, head_hash=ticket.head_hash)
            assert verdict.ok is True and verdict.checked == 2
            closed = await repository.get(session, closed_id)
            assert closed is not None and closed.status == "closed" and closed.event_count == 2

        city = Principal(subject="city-01", role=Role.CITY)
        async with sessionmaker() as session, session.begin():
            worked = await start(session, city, open_id, StartIn(note="迁移后开始处理"), at=datetime.now(UTC))
            assert worked.status == "in_progress" and worked.work_started_by == "city-01"
        async with sessionmaker() as session:
            ticket = await repository.get(session, open_id)
            assert ticket is not None
            verdict = await verify_ticket(session, ticket_id=open_id, ps_id=ps_id, head_hash=ticket.head_hash)
            assert verdict.ok is True and verdict.checked == 3
    finally:
        await engine.dispose()

    await asyncio.to_thread(command.downgrade, alembic_config("fbjd_workflow", empty_database), "workflow_0003")
    connection = await asyncpg.connect(asyncpg_dsn(empty_database))
    try:
        rows = await connection.fetch(
            "SELECT id, status FROM workflow.maintenance_tickets WHERE ps_id = $1 ORDER BY id", ps_id
        )
        assert {row["id"]: row["status"] for row in rows} == {open_id: "open", closed_id: "closed"}
    finally:
        await connection.close()
