"""Withdrawal by the rules (规则撤销): the record turned out not to be an abnormal (a corrected threshold,
late data). An open alarm is closed as withdrawn, its timers cancelled, its enforcement task cancelled (and the
mobile enforcement system told); an alarm the city already decided keeps its stage and gets a note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.service import SYSTEM, apply, note
from fbjd_workflow.alarms.states import Action, Party, Stage, allowed_actions
from fbjd_workflow.enforcement import repository as enforcement_repository
from fbjd_workflow.outbox.service import Channel, enqueue
from fbjd_workflow.timers.service import TimerKind, cancel
from fbjd_workflow.vocabulary import TaskStatus

__all__ = ["withdraw"]

REASON = "规则服务撤销了该异常记录"


async def withdraw(session: AsyncSession, alarm: Alarm, *, at: datetime) -> None:
    if Action.WITHDRAW not in allowed_actions(Stage(alarm.stage), Party.SYSTEM):
        await note(
            session, alarm, action="record_withdrawn", actor=SYSTEM, at=at, reason=f"{REASON}（报警已办结，保持原结论）"
        )
        return
    await apply(session, alarm, Action.WITHDRAW, actor=SYSTEM, at=at, reason=REASON)
    await cancel(session, alarm=alarm, kinds=list(TimerKind), at=at)
    task = await enforcement_repository.task_of_alarm(session, alarm.id)
    if task is not None and task.status in (TaskStatus.NEW, TaskStatus.ACCEPTED):
        task.status = TaskStatus.CANCELLED.value
        task.updated_at = at
        await enqueue(
            session,
            channel=Channel.ENFORCEMENT,
            dedupe_key=f"enforcement:{task.id}:cancelled",
            ps_id=alarm.ps_id,
            alarm_id=alarm.id,
            payload={"event": "task.cancelled", "task_id": str(task.id), "alarm_id": str(alarm.id), "reason": REASON},
            at=at,
        )
