"""Scheduling and cancelling the process's timers (what they do when due is in `process.timeouts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.timers import repository
from fbjd_workflow.timers.models import Timer

__all__ = ["TimerKind", "cancel", "schedule"]


class TimerKind(StrEnum):
    SELF_CHECK_DEADLINE = "self_check_deadline"  # 企业自查时限 (30 min): escalate to the city
    SELF_CHECK_REMINDER = "self_check_reminder"  # 剩余时间提醒: tell the enterprise how long is left
    REVIEW_REMINDER = "review_reminder"  # 审核催办: the city has not reviewed yet
    TASK_DEADLINE = "task_deadline"  # 执法时限: the inspection is overdue


async def schedule(session: AsyncSession, *, kind: TimerKind, alarm: Alarm, due_at: datetime, at: datetime) -> Timer:
    timer = Timer(kind=kind.value, alarm_id=alarm.id, ps_id=alarm.ps_id, due_at=due_at, created_at=at, attempts=0)
    await repository.add(session, timer)
    return timer


async def cancel(session: AsyncSession, *, alarm: Alarm, kinds: Sequence[TimerKind], at: datetime) -> None:
    await repository.cancel(session, alarm_id=alarm.id, kinds=[k.value for k in kinds], at=at)
