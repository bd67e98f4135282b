"""The enterprise's self-check (企业自查): handled within the window → closed at the enterprise level."""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.auth import Principal
from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.schemas import HandleIn
from fbjd_workflow.alarms.service import Actor, apply, load_visible
from fbjd_workflow.alarms.states import Action, Party, Stage
from fbjd_workflow.errors import SelfCheckWindowClosed
from fbjd_workflow.timers.service import TimerKind, cancel
from fbjd_workflow.vocabulary import label

__all__ = ["handle"]


async def handle(
    session: AsyncSession, principal: Principal, alarm_id: uuid.UUID, data: HandleIn, *, at: datetime
) -> Alarm:
    alarm = await load_visible(session, principal, alarm_id, for_update=True)
    if alarm.stage == Stage.ENTERPRISE_CHECK and at > alarm.self_check_deadline:
        deadline = to_cst(alarm.self_check_deadline).strftime("%Y-%m-%d %H:%M")
        raise SelfCheckWindowClosed(
            f"自查时限已于 {deadline} 截止，报警将上报市生态环境局审核；请通过事后申报提交原因和证明材料"
        )
    reason_label = label(data.reason.value, prefix="handling_reason")
    await apply(
        session,
        alarm,
        Action.HANDLE,
        actor=Actor.of(principal, Party.ENTERPRISE),
        at=at,
        reason=f"企业自查：{reason_label}。{data.text}",
        detail={"reason": data.reason.value},
    )
    alarm.handled_at, alarm.handled_by = at, principal.subject
    alarm.handling_reason, alarm.handling_text = data.reason.value, data.text
    await cancel(session, alarm=alarm, kinds=[TimerKind.SELF_CHECK_DEADLINE, TimerKind.SELF_CHECK_REMINDER], at=at)
    return alarm
