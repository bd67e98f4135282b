"""The mobile enforcement system's side (移动执法): accept a task, post the inspection record that closes it.

A task belongs to the client that accepted it: another client may read it (within its county) but may not
accept it again or record its inspection (403). The inspection record is checked whole — every photo's type
and size — before anything is written.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.access import ensure_visible
from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.service import Actor, apply, note
from fbjd_workflow.alarms.states import Action, Party
from fbjd_workflow.config import Settings
from fbjd_workflow.enforcement import repository
from fbjd_workflow.enforcement.models import EnforcementTask, InspectionRecord
from fbjd_workflow.enforcement.schemas import InspectionIn
from fbjd_workflow.errors import ActionForbidden, InvalidInput, InvalidTransition, WorkflowNotFound
from fbjd_workflow.files.service import CheckedFile, check, store
from fbjd_workflow.timers.service import TimerKind, cancel
from fbjd_workflow.vocabulary import TaskStatus, label

__all__ = ["accept", "load_visible_task", "record_inspection"]


async def load_visible_task(
    session: AsyncSession, principal: Principal, task_id: uuid.UUID, *, for_update: bool = False
) -> tuple[EnforcementTask, Alarm]:
    task = await (repository.get_for_update if for_update else repository.get)(session, task_id)
    if task is None:
        raise WorkflowNotFound(f"执法任务 {task_id} 不存在或不在您的管辖范围内")
    ensure_visible(principal, ps_id=task.ps_id, county=task.county, what=f"执法任务 {task_id} ")
    alarm = await (alarms_repository.get_for_update if for_update else alarms_repository.get)(session, task.alarm_id)
    if alarm is None:
        raise WorkflowNotFound(f"执法任务 {task_id} 的报警不存在")
    return task, alarm


def _ensure_owner(task: EnforcementTask, principal: Principal) -> None:
    if task.accepted_by is not None and task.accepted_by != principal.subject:
        raise ActionForbidden(f"执法任务 {task.id} 已由客户端 {task.accepted_by} 接收，其他客户端不能操作")


async def accept(session: AsyncSession, principal: Principal, task_id: uuid.UUID, *, at: datetime) -> EnforcementTask:
    """Accept a new task (idempotent for the client that accepted it)."""
    task, alarm = await load_visible_task(session, principal, task_id, for_update=True)
    _ensure_owner(task, principal)
    if task.status == TaskStatus.ACCEPTED:
        return task
    if task.status != TaskStatus.NEW:
        raise InvalidTransition(f"执法任务 {task.id} 状态为「{task.status}」，不能接收")
    task.status, task.accepted_by, task.accepted_at, task.updated_at = (
        TaskStatus.ACCEPTED.value,
        principal.subject,
        at,
        at,
    )
    actor = Actor.of(principal, Party.ENFORCEMENT)
    await note(
        session,
        alarm,
        action="task_accepted",
        actor=actor,
        at=at,
        reason="移动执法系统已接收执法任务",
        task_id=str(task.id),
    )
    return task


def _photos(data: InspectionIn, *, max_bytes: int) -> list[CheckedFile]:
    checked = []
    for photo in data.photos:
        try:
            content = base64.b64decode(photo.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(f"照片「{photo.filename}」不是有效的 base64 内容") from exc
        checked.append(check(photo.filename, content, max_bytes=max_bytes))
    return checked


async def record_inspection(
    session: AsyncSession,
    principal: Principal,
    task_id: uuid.UUID,
    data: InspectionIn,
    *,
    settings: Settings,
    at: datetime,
) -> EnforcementTask:
    photos = _photos(data, max_bytes=settings.max_file_bytes)  # before any row is touched
    task, alarm = await load_visible_task(session, principal, task_id, for_update=True)
    _ensure_owner(task, principal)
    if task.status != TaskStatus.ACCEPTED:
        raise InvalidTransition(f"执法任务 {task.id} 状态为「{task.status}」：须先接收任务，再提交现场检查记录")
    actor = Actor.of(principal, Party.ENFORCEMENT)
    await apply(
        session,
        alarm,
        Action.INSPECT,
        actor=actor,
        at=at,
        reason=f"现场检查（{data.officer_name}）：{label(data.conclusion.value)}。{data.findings}",
        detail={"task_id": str(task.id), "conclusion": data.conclusion.value, "officer_id": data.officer_id},
    )
    record = InspectionRecord(
        task_id=task.id,
        alarm_id=alarm.id,
        ps_id=alarm.ps_id,
        officer_name=data.officer_name,
        officer_id=data.officer_id,
        inspected_at=data.inspected_at,
        findings=data.findings,
        conclusion=data.conclusion.value,
        recorded_by=principal.subject,
        recorded_at=at,
    )
    await repository.add(session, record)
    await store(
        session,
        photos,
        owner_kind="inspection",
        owner_id=record.id,
        ps_id=alarm.ps_id,
        county=alarm.county,
        by=principal.subject,
        at=at,
    )
    task.status, task.completed_at, task.updated_at = TaskStatus.COMPLETED.value, at, at
    await cancel(session, alarm=alarm, kinds=[TimerKind.TASK_DEADLINE], at=at)
    return task
