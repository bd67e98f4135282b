"""What each timer does when it is due. Every handler re-checks the alarm under its row lock: a timer whose
moment has passed (the enterprise handled in time, the city reviewed) does nothing and says so in `outcome`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.service import SYSTEM, note
from fbjd_workflow.alarms.states import STAGE_LABELS, Action, Stage
from fbjd_workflow.config import Settings
from fbjd_workflow.enforcement import repository as enforcement_repository
from fbjd_workflow.notifications.service import notify_time_left
from fbjd_workflow.process.escalation import escalate
from fbjd_workflow.timers.models import Timer
from fbjd_workflow.timers.service import TimerKind
from fbjd_workflow.vocabulary import TaskStatus

__all__ = ["HANDLERS", "fire"]

Handler = Callable[[AsyncSession, Alarm, Settings, datetime], Awaitable[str]]


def _skipped(alarm: Alarm) -> str:
    return f"skipped: alarm is in {alarm.stage} ({STAGE_LABELS[Stage(alarm.stage)]})"


async def _self_check_deadline(session: AsyncSession, alarm: Alarm, settings: Settings, at: datetime) -> str:
    if alarm.stage != Stage.ENTERPRISE_CHECK:
        return _skipped(alarm)
    minutes = f"{settings.self_check_minutes:g}"
    reason = f"企业未在 {minutes} 分钟内自查处理"
    await escalate(session, alarm, action=Action.ESCALATE, reason=reason, settings=settings, at=at)
    return "escalated to city_review"


async def _self_check_reminder(session: AsyncSession, alarm: Alarm, _settings: Settings, at: datetime) -> str:
    if alarm.stage != Stage.ENTERPRISE_CHECK:
        return _skipped(alarm)
    await notify_time_left(session, alarm, at=at)
    return "time-left notice queued"


async def _review_reminder(session: AsyncSession, alarm: Alarm, settings: Settings, at: datetime) -> str:
    if alarm.stage != Stage.CITY_REVIEW:
        return _skipped(alarm)
    hours = f"{settings.review_reminder_hours:g}"
    await note(
        session,
        alarm,
        action="review_reminder",
        actor=SYSTEM,
        at=at,
        reason=f"待市局审核已超过 {hours} 小时，请尽快审核",
    )
    return "review reminder noted"


async def _task_deadline(session: AsyncSession, alarm: Alarm, settings: Settings, at: datetime) -> str:
    task = await enforcement_repository.task_of_alarm(session, alarm.id)
    if task is None or task.status not in (TaskStatus.NEW, TaskStatus.ACCEPTED):
        return "skipped: no task awaiting inspection"
    task.overdue, task.updated_at = True, at
    hours = f"{settings.task_deadline_hours:g}"
    await note(
        session,
        alarm,
        action="task_overdue",
        actor=SYSTEM,
        at=at,
        reason=f"执法任务超过 {hours} 小时未办结",
        task_id=str(task.id),
    )
    return "task marked overdue"


HANDLERS: dict[str, Handler] = {
    TimerKind.SELF_CHECK_DEADLINE.value: _self_check_deadline,
    TimerKind.SELF_CHECK_REMINDER.value: _self_check_reminder,
    TimerKind.REVIEW_REMINDER.value: _review_reminder,
    TimerKind.TASK_DEADLINE.value: _task_deadline,
}


async def fire(session: AsyncSession, timer: Timer, *, settings: Settings, at: datetime) -> str:
    """Run the timer's effect in the caller's transaction (which also marks it fired); returns the outcome."""
    alarm = await alarms_repository.get_for_update(session, timer.alarm_id)
    if alarm is None:
        return "skipped: alarm missing"
    handler = HANDLERS.get(timer.kind)
    if handler is None:
        return f"skipped: unknown timer kind {timer.kind!r}"
    return await handler(session, alarm, settings, at)
