"""The task API of the mobile enforcement system (移动执法系统), a machine client with role `enforcement`:
list tasks (pull), fetch one with everything needed on site, accept it, post the inspection record.

Push mode: each new task is also POSTed to the configured webhook, signed (see `fbjd_workflow.signing`):
headers X-Fbjd-Timestamp, X-Fbjd-Signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + raw body),
X-Fbjd-Delivery (dedupe on it), X-Fbjd-Event (task.created | task.cancelled); retried with back-off until a 2xx.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep
from fbjd_core.time import now
from pydantic import AwareDatetime

from fbjd_workflow.access import Enforcer, TaskReader
from fbjd_workflow.config import SettingsDep
from fbjd_workflow.declarations import repository as declarations_repository
from fbjd_workflow.enforcement import repository
from fbjd_workflow.enforcement.schemas import InspectionIn, TaskDocument, TaskSummary
from fbjd_workflow.errors import WorkflowNotFound
from fbjd_workflow.files import repository as files_repository
from fbjd_workflow.files.service import download_headers
from fbjd_workflow.process.documents import task_document, task_summary
from fbjd_workflow.process.inspection import accept, load_visible_task, record_inspection
from fbjd_workflow.vocabulary import TaskStatus

router = APIRouter(tags=["enforcement tasks"])


@router.get("/tasks")
async def list_tasks(
    session: SessionDep,
    principal: TaskReader,
    status: TaskStatus | None = None,
    since: Annotated[AwareDatetime | None, Query(description="only tasks changed after this moment")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TaskSummary]:
    """Tasks in the client's scope, oldest change first; poll with `since` = the last `updated_at` seen."""
    county = principal.county if principal.role in (Role.COUNTY, Role.ENFORCEMENT) else None
    rows = await repository.list_tasks(
        session, status=None if status is None else status.value, since=since, county=county, limit=limit
    )
    return [task_summary(task) for task in rows]


@router.get("/tasks/{task_id}", response_model_by_alias=True)
async def get_task(task_id: uuid.UUID, session: SessionDep, principal: TaskReader) -> TaskDocument:
    """执法任务单: the enterprise (address, coordinates), facilities, the abnormal's evidence, the enterprise's
    handling and declarations (with file links), the city's opinion, and the inspection once recorded."""
    task, alarm = await load_visible_task(session, principal, task_id)
    return await task_document(session, task, alarm)


@router.post("/tasks/{task_id}/accept", response_model_by_alias=True)
async def accept_task(task_id: uuid.UUID, session: SessionDep, principal: Enforcer) -> TaskDocument:
    """Accept a task (接收任务). Idempotent for the same client; another client gets 403."""
    task = await accept(session, principal, task_id, at=now())
    _, alarm = await load_visible_task(session, principal, task.id)
    return await task_document(session, task, alarm)


@router.post("/tasks/{task_id}/inspection", status_code=201, response_model_by_alias=True)
async def post_inspection(
    task_id: uuid.UUID, data: InspectionIn, session: SessionDep, principal: Enforcer, settings: SettingsDep
) -> TaskDocument:
    """The inspection record (现场检查记录, fbjd.inspection/v1) closes the alarm. Photos: JPEG/PNG/PDF in base64."""
    task = await record_inspection(session, principal, task_id, data, settings=settings, at=now())
    _, alarm = await load_visible_task(session, principal, task.id)
    return await task_document(session, task, alarm)


@router.get("/tasks/{task_id}/files/{file_id}", response_class=Response)
async def download_task_file(
    task_id: uuid.UUID, file_id: uuid.UUID, session: SessionDep, principal: TaskReader
) -> Response:
    """An evidence file or inspection photo of this task, as an attachment."""
    task, alarm = await load_visible_task(session, principal, task_id)
    owners = {d.id for d in await declarations_repository.of_alarm(session, alarm.id, covered_by=alarm.covered_by)}
    inspection = await repository.inspection_of(session, task.id)
    if inspection is not None:
        owners.add(inspection.id)
    row = await files_repository.get_with_content(session, file_id)
    if row is None or row.owner_id not in owners:
        raise WorkflowNotFound(f"附件 {file_id} 不属于执法任务 {task_id}")
    return Response(content=row.content, media_type=row.content_type, headers=download_headers(row))
