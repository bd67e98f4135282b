"""Escalation to the city (上报市局): when the self-check window passes unhandled, or the abnormal goes on
after the enterprise handled it (or beyond a declared window). One function for both, so the city's queue,
the reminder timer and the enterprise's notice are the same whichever way an alarm arrives there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.service import SYSTEM, apply
from fbjd_workflow.alarms.states import Action
from fbjd_workflow.config import Settings
from fbjd_workflow.notifications.service import notify_escalated
from fbjd_workflow.timers.service import TimerKind, cancel, schedule

__all__ = ["escalate"]


async def escalate(
    session: AsyncSession, alarm: Alarm, *, action: Action, reason: str, settings: Settings, at: datetime
) -> None:
    """ESCALATE (window passed) or CONTINUE (abnormal went on): to city_review, with reminder and notice."""
    await apply(session, alarm, action, actor=SYSTEM, at=at, reason=reason)
    alarm.escalated_at = at
    await cancel(session, alarm=alarm, kinds=[TimerKind.SELF_CHECK_DEADLINE, TimerKind.SELF_CHECK_REMINDER], at=at)
    await schedule(session, kind=TimerKind.REVIEW_REMINDER, alarm=alarm, due_at=at + settings.review_reminder, at=at)
    await notify_escalated(session, alarm, reason=reason, at=at)
