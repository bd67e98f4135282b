"""The notices an enterprise gets (新报警、剩余时间、已上报市局), queued in the outbox with their cause."""

from __future__ import annotations

import math
from datetime import datetime

from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.outbox.service import Channel, enqueue
from fbjd_workflow.vocabulary import label

__all__ = ["notify_escalated", "notify_new_alarm", "notify_time_left"]


def _what(alarm: Alarm) -> str:
    facility = alarm.record.get("production_facility_name") or alarm.production_facility_id
    start = to_cst(alarm.started_at).strftime("%m-%d %H:%M")
    return f"{facility}{label(alarm.type)}（{start} 起）"


async def _queue(
    session: AsyncSession, alarm: Alarm, *, kind: str, key: str, title: str, text: str, at: datetime
) -> None:
    await enqueue(
        session,
        channel=Channel.NOTICE,
        dedupe_key=f"notice:{alarm.id}:{key}",
        ps_id=alarm.ps_id,
        alarm_id=alarm.id,
        payload={
            "kind": kind,
            "title": title,
            "text": text,
            "data": {
                "alarm_id": str(alarm.id),
                "stage": alarm.stage,
                "self_check_deadline": alarm.self_check_deadline.isoformat(),
            },
        },
        at=at,
    )


async def notify_new_alarm(session: AsyncSession, alarm: Alarm, *, at: datetime) -> None:
    deadline = to_cst(alarm.self_check_deadline).strftime("%H:%M")
    await _queue(
        session,
        alarm,
        kind="alarm.new",
        key="new",
        title="新报警，请在时限内自查处理",
        text=(
            f"{alarm.enterprise_name}：{_what(alarm)}。"
            f"请于 {deadline} 前在平台上说明原因并处理，逾期将上报市生态环境局。"
        ),
        at=at,
    )


async def notify_time_left(session: AsyncSession, alarm: Alarm, *, at: datetime) -> None:
    minutes = max(math.ceil((alarm.self_check_deadline - at).total_seconds() / 60), 0)
    await _queue(
        session,
        alarm,
        kind="alarm.time_left",
        key="time_left",
        title=f"报警自查剩余 {minutes} 分钟",
        text=f"{alarm.enterprise_name}：{_what(alarm)} 尚未处理，剩余 {minutes} 分钟，逾期将上报市生态环境局。",
        at=at,
    )


async def notify_escalated(session: AsyncSession, alarm: Alarm, *, reason: str, at: datetime) -> None:
    await _queue(
        session,
        alarm,
        kind="alarm.escalated",
        key=f"escalated:{alarm.revision}",
        title="报警已上报市生态环境局审核",
        text=f"{alarm.enterprise_name}：{_what(alarm)} {reason}，已上报市生态环境局审核；可提交事后申报及证明材料。",
        at=at,
    )
