"""Records from the rules (规则服务推送的异常记录): idempotent by (id, version).

- unknown id → a new alarm: covered at once by an approved pre-declaration, or the enterprise's self-check
  starts (deadline timer, a "time left" reminder, a notice);
- same version again → nothing (a redelivery); lower version → ignored (it arrived late);
- higher version → the record fields are updated, then: withdrawn → closed as withdrawn; the abnormal went
  on after the enterprise handled it (or beyond its declared window) → escalated to the city.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.schemas import AbnormalRecordIn, IntakeResult
from fbjd_workflow.alarms.service import SYSTEM, apply, note
from fbjd_workflow.alarms.states import Action, Stage, next_stage
from fbjd_workflow.config import Settings
from fbjd_workflow.declarations import repository as declarations_repository
from fbjd_workflow.errors import WorkflowError
from fbjd_workflow.notifications.service import notify_new_alarm
from fbjd_workflow.process.coverage import cover_on_arrival
from fbjd_workflow.process.escalation import escalate
from fbjd_workflow.process.withdrawal import withdraw
from fbjd_workflow.timers.service import TimerKind, schedule
from fbjd_workflow.vocabulary import label

__all__ = ["receive"]


def _record_columns(record: AbnormalRecordIn) -> dict[str, Any]:
    return {
        "version": record.version,
        "record": record.model_dump(mode="json"),
        "record_status": record.status,
        "type": record.type.value,
        "ps_id": record.ps_id,
        "enterprise_name": record.enterprise_name,
        "county": record.county,
        "industry": record.industry,
        "production_facility_id": record.production_facility_id,
        "treatment_facility_id": record.treatment_facility_id,
        "started_at": record.start,
        "ended_at": record.end,
        "ongoing": record.ongoing,
        "duration_minutes": record.duration_minutes,
        "grade": record.grade.value,
    }


def _span(alarm: Alarm) -> str:
    fmt = "%Y-%m-%d %H:%M"
    end = "持续中" if alarm.ongoing else to_cst(alarm.ended_at).strftime(fmt)
    facility = alarm.record.get("production_facility_name") or alarm.production_facility_id
    return f"{facility} {label(alarm.type)}，{to_cst(alarm.started_at).strftime(fmt)} 至 {end}"


async def _open(session: AsyncSession, alarm: Alarm, *, settings: Settings, at: datetime) -> None:
    await apply(session, alarm, Action.OPEN, actor=SYSTEM, at=at, reason=f"收到异常记录：{_span(alarm)}")
    if alarm.record_status == "withdrawn":
        await withdraw(session, alarm, at=at)
        return
    if await cover_on_arrival(session, alarm, at=at):
        return
    deadline = alarm.self_check_deadline
    await schedule(session, kind=TimerKind.SELF_CHECK_DEADLINE, alarm=alarm, due_at=deadline, at=at)
    reminder_at = deadline - settings.self_check_reminder
    if reminder_at > at:
        await schedule(session, kind=TimerKind.SELF_CHECK_REMINDER, alarm=alarm, due_at=reminder_at, at=at)
    await notify_new_alarm(session, alarm, at=at)


async def _went_on(session: AsyncSession, alarm: Alarm, *, settings: Settings) -> str | None:
    """Why the updated record must go to the city, or None."""
    fmt = "%Y-%m-%d %H:%M"
    if alarm.stage == Stage.CLOSED_BY_ENTERPRISE and alarm.handled_at is not None:
        if alarm.ended_at > alarm.handled_at + settings.continued_grace:
            return f"企业处理后异常仍在持续（至 {to_cst(alarm.ended_at).strftime(fmt)}）"
    if alarm.stage == Stage.COVERED_BY_DECLARATION and alarm.covered_by is not None:
        declaration = await declarations_repository.get(session, alarm.covered_by)
        if declaration is not None and declaration.ends_at is not None and alarm.ended_at > declaration.ends_at:
            return f"异常超出提前申报时段（至 {to_cst(alarm.ended_at).strftime(fmt)}）"
    return None


async def _update(
    session: AsyncSession, alarm: Alarm, record: AbnormalRecordIn, *, settings: Settings, at: datetime
) -> None:
    was_withdrawn = alarm.record_status == "withdrawn"
    for key, value in _record_columns(record).items():
        setattr(alarm, key, value)
    alarm.updated_at = at
    if record.status == "withdrawn" and not was_withdrawn:
        await withdraw(session, alarm, at=at)
    elif record.status == "open" and was_withdrawn:
        await note(
            session,
            alarm,
            action="record_reopened",
            actor=SYSTEM,
            at=at,
            reason="规则服务重新开启了已撤销的异常记录（报警保持已撤销，如需处置请重新生成）",
        )
    elif (why := await _went_on(session, alarm, settings=settings)) is not None:
        await escalate(session, alarm, action=Action.CONTINUE, reason=why, settings=settings, at=at)


async def receive(session: AsyncSession, record: AbnormalRecordIn, *, settings: Settings, at: datetime) -> IntakeResult:
    alarm = await alarms_repository.get_for_update(session, record.id)
    if alarm is None:
        values = {
            "id": record.id,
            **_record_columns(record),
            "stage": next_stage(None, Action.OPEN, SYSTEM.party).value,
            "revision": 1,
            "received_at": at,
            "updated_at": at,
            "stage_changed_at": at,
            "self_check_deadline": at + settings.self_check_window,
        }
        inserted = await alarms_repository.insert_if_absent(session, values)
        alarm = await alarms_repository.get_for_update(session, record.id)
        if alarm is None:  # inserted now or by a concurrent delivery that has committed: cannot be missing
            raise WorkflowError(f"报警 {record.id} 写入后未能读取")
        if inserted:
            await _open(session, alarm, settings=settings, at=at)
            return IntakeResult(alarm_id=alarm.id, version=alarm.version, stage=alarm.stage, applied="created")
    applied: Literal["updated", "duplicate", "stale"]
    if record.version == alarm.version:
        applied = "duplicate"
    elif record.version < alarm.version:
        applied = "stale"
    else:
        await _update(session, alarm, record, settings=settings, at=at)
        applied = "updated"
    return IntakeResult(alarm_id=alarm.id, version=alarm.version, stage=alarm.stage, applied=applied)
