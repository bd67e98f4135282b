"""Applying a step of the state machine to an alarm, and the alarm's own reads.

`apply` is the one place an alarm changes stage: it asks the pure state machine first (which raises before
anything is touched), then changes the row and appends the event in the caller's transaction. Callers lock
the row (`repository.get_for_update`) before deciding, so two concurrent steps queue and the second one
meets the new stage and is refused with 409.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.access import ensure_visible
from fbjd_workflow.alarms import repository
from fbjd_workflow.alarms.models import Alarm, AlarmEvent
from fbjd_workflow.alarms.states import CLOSED_STAGES, Action, Party, Stage, next_stage
from fbjd_workflow.errors import StaleRevision, WorkflowNotFound

__all__ = ["SYSTEM", "Actor", "apply", "load_visible", "note"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who takes a step: a user or client (subject, role) acting as a party, or the system."""

    subject: str
    role: str
    party: Party

    @classmethod
    def of(cls, principal: Principal, party: Party) -> Actor:
        return cls(subject=principal.subject, role=principal.role.value, party=party)


SYSTEM = Actor(subject="system", role="system", party=Party.SYSTEM)


async def apply(
    session: AsyncSession,
    alarm: Alarm,
    action: Action,
    *,
    actor: Actor,
    at: datetime,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> Stage:
    """Move `alarm` by `action`; InvalidTransition (nothing changed) when the state machine refuses."""
    source = None if action is Action.OPEN else Stage(alarm.stage)
    target = next_stage(source, action, actor.party)
    alarm.stage = target.value
    alarm.stage_changed_at = at
    alarm.updated_at = at
    if action is not Action.OPEN:
        alarm.revision += 1
    alarm.closed_at = at if target in CLOSED_STAGES else None
    event = AlarmEvent(
        alarm_id=alarm.id,
        ps_id=alarm.ps_id,
        at=at,
        actor=actor.subject,
        role=actor.role,
        action=action.value,
        from_stage=None if source is None else source.value,
        to_stage=target.value,
        reason=reason,
        detail=detail or {},
    )
    await repository.add_event(session, alarm, event)
    log.info(
        "alarm transition",
        extra={
            "alarm_id": str(alarm.id),
            "ps_id": alarm.ps_id,
            "action": action.value,
            "from_stage": event.from_stage,
            "to_stage": target.value,
            "actor": actor.subject,
        },
    )
    return target


async def note(
    session: AsyncSession, alarm: Alarm, *, action: str, actor: Actor, at: datetime, reason: str, **detail: Any
) -> None:
    """An event that changes no stage (a reminder, an overdue task, a record withdrawn after closing)."""
    event = AlarmEvent(
        alarm_id=alarm.id,
        ps_id=alarm.ps_id,
        at=at,
        actor=actor.subject,
        role=actor.role,
        action=action,
        from_stage=alarm.stage,
        to_stage=alarm.stage,
        reason=reason,
        detail=detail,
    )
    await repository.add_event(session, alarm, event)


async def load_visible(
    session: AsyncSession,
    principal: Principal,
    alarm_id: uuid.UUID,
    *,
    for_update: bool = False,
    expected_revision: int | None = None,
) -> Alarm:
    """The alarm if the caller may see it (else 404, like a missing one); locked when `for_update`."""
    alarm = await (repository.get_for_update if for_update else repository.get)(session, alarm_id)
    if alarm is None:
        raise WorkflowNotFound(f"报警 {alarm_id} 不存在或不在您的管辖范围内")
    ensure_visible(principal, ps_id=alarm.ps_id, county=alarm.county, what=f"报警 {alarm_id} ")
    if expected_revision is not None and expected_revision != alarm.revision:
        raise StaleRevision(
            f"报警 {alarm_id} 已被他人处理（版本 {alarm.revision}，您看到的是 {expected_revision}），请刷新后再操作"
        )
    return alarm
