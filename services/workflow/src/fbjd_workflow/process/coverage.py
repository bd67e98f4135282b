"""Coverage by an approved pre-declaration (提前申报覆盖): an alarm of the declared facility lying wholly in
the declared window is closed as covered — kept and visible, never sent to the city.

Both orders happen: the declaration approved first and the alarm arriving later (`cover_on_arrival`), and
the alarm already open when the city approves (`cover_open_alarms`).
"""

from __future__ import annotations

from datetime import datetime

from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.service import SYSTEM, apply
from fbjd_workflow.alarms.states import Action, Stage
from fbjd_workflow.declarations import repository as declarations_repository
from fbjd_workflow.declarations.models import Declaration
from fbjd_workflow.timers.service import TimerKind, cancel

__all__ = ["cover_on_arrival", "cover_open_alarms", "window_text"]

_COVERABLE = (Stage.ENTERPRISE_CHECK.value, Stage.CITY_REVIEW.value)
_TIMERS = [TimerKind.SELF_CHECK_DEADLINE, TimerKind.SELF_CHECK_REMINDER, TimerKind.REVIEW_REMINDER]


def window_text(declaration: Declaration) -> str:
    if declaration.starts_at is None or declaration.ends_at is None:
        return ""
    fmt = "%Y-%m-%d %H:%M"
    return f"{to_cst(declaration.starts_at).strftime(fmt)} 至 {to_cst(declaration.ends_at).strftime(fmt)}"


async def _cover(session: AsyncSession, alarm: Alarm, declaration: Declaration, *, at: datetime) -> None:
    facility = declaration.facility_name or declaration.facility_id
    reason = f"提前申报已批准（{facility}，{window_text(declaration)}）覆盖此报警"
    await apply(
        session, alarm, Action.COVER, actor=SYSTEM, at=at, reason=reason, detail={"declaration_id": str(declaration.id)}
    )
    alarm.covered_by = declaration.id
    await cancel(session, alarm=alarm, kinds=_TIMERS, at=at)


async def cover_on_arrival(session: AsyncSession, alarm: Alarm, *, at: datetime) -> bool:
    facilities = [f for f in (alarm.production_facility_id, alarm.treatment_facility_id) if f]
    declaration = await declarations_repository.covering(
        session, ps_id=alarm.ps_id, facility_ids=facilities, starts_at=alarm.started_at, ends_at=alarm.ended_at
    )
    if declaration is None:
        return False
    await _cover(session, alarm, declaration, at=at)
    return True


async def cover_open_alarms(session: AsyncSession, declaration: Declaration, *, at: datetime) -> list[Alarm]:
    if declaration.facility_id is None or declaration.starts_at is None or declaration.ends_at is None:
        return []
    alarms = await alarms_repository.coverable(
        session,
        ps_id=declaration.ps_id,
        facility_id=declaration.facility_id,
        starts_at=declaration.starts_at,
        ends_at=declaration.ends_at,
        stages=_COVERABLE,
    )
    for alarm in alarms:
        await _cover(session, alarm, declaration, at=at)
    return list(alarms)
