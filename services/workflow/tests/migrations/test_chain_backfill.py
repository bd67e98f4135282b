"""Migration workflow_0003 back-fills the hash chain of histories written before it: after the upgrade the old
events verify, in the order they were written, and the next event links to them."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from alembic import command
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.ids import new_id
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.migrate import alembic_config
from fbjd_workflow.alarms import repository
from fbjd_workflow.alarms.models import AlarmEvent
from fbjd_workflow.audit.service import verify_alarm


async def _old_history(url: str, alarm_id: uuid.UUID, ps_id: str) -> list[uuid.UUID]:
    """An alarm and three events as workflow_0002 stored them (no chain columns yet)."""
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(
            """
            INSERT INTO workflow.alarms (id, version, record, record_status, type, ps_id, enterprise_name, county,
                industry, production_facility_id, treatment_facility_id, started_at, ended_at, ongoing,
                duration_minutes, grade, stage, revision, received_at, updated_at, stage_changed_at,
                self_check_deadline)
            VALUES ($1, 1, '{}', 'open', 'treatment_abnormal', $2, '沧州市旧数据陶瓷有限公司', '130921', '新型建材',
                'pf-1', 'tf-1', $3, $3, false, 20, 'general', 'approved', 3, $3, $3, $3, $3)
            """,
            alarm_id,
            ps_id,
            at,
        )
        steps = [
            ("system", "system", "open", None, "enterprise_check", "收到异常记录", {}),
            ("system", "system", "escalate", "enterprise_check", "city_review", "企业未在 30 分钟内自查处理", {}),
            ("city-01", "city", "approve", "city_review", "approved", "审核意见：同意", {"ratio": 0.5, "n": [1, 2]}),
        ]
        ids = []
        for minutes, (actor, role, action, source, target, reason, detail) in enumerate(steps):
            event_id = new_id()
            ids.append(event_id)
            await connection.execute(
                "INSERT INTO workflow.alarm_events (id, alarm_id, ps_id, at, actor, role, action, from_stage,"
                " to_stage, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)",
                event_id,
                alarm_id,
                ps_id,
                at + timedelta(minutes=minutes, microseconds=123456),
                actor,
                role,
                action,
                source,
                target,
                reason,
                json.dumps(detail, ensure_ascii=False),
            )
        return ids
    finally:
        await connection.close()


async def test_events_written_before_the_chain_verify_after_the_upgrade(empty_database: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config("fbjd_workflow", empty_database), "workflow_0002")
    alarm_id, ps_id = uuid.uuid4(), uuid.uuid4().hex
    ids = await _old_history(empty_database, alarm_id, ps_id)
    await asyncio.to_thread(command.upgrade, alembic_config("fbjd_workflow", empty_database), "head")

    engine = make_engine(empty_database)
    try:
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            alarm = await repository.get(session, alarm_id)
            assert alarm is not None and alarm.event_count == 3
            events = await repository.events_of(session, alarm_id)
            assert [e.id for e in events] == ids and [e.seq for e in events] == [1, 2, 3]
            assert alarm.head_hash == events[-1].hash
            verdict = await verify_alarm(session, alarm_id=alarm_id, ps_id=ps_id, head_hash=alarm.head_hash)
            assert verdict.ok is True and verdict.checked == 3
        async with sessionmaker() as session, session.begin():
            alarm = await repository.get_for_update(session, alarm_id)
            assert alarm is not None
            note = AlarmEvent(
                alarm_id=alarm_id,
                ps_id=ps_id,
                at=datetime.now(UTC),
                actor="system",
                role="system",
                action="review_reminder",
                from_stage="approved",
                to_stage="approved",
                reason="迁移后追加的事件",
                detail={},
            )
            await repository.add_event(session, alarm, note)
            assert note.seq == 4 and note.prev_hash == events[-1].hash
        async with sessionmaker() as session:
            alarm = await repository.get(session, alarm_id)
            assert alarm is not None
            verdict = await verify_alarm(session, alarm_id=alarm_id, ps_id=ps_id, head_hash=alarm.head_hash)
            assert verdict.ok is True and verdict.checked == 4
    finally:
        await engine.dispose()
