"""Downloading a stored file: always as an attachment of its checked type (never rendered inline)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fbjd_core.db import SessionDep

from fbjd_workflow.access import Reader, ensure_visible
from fbjd_workflow.errors import WorkflowNotFound
from fbjd_workflow.files import repository
from fbjd_workflow.files.service import ACCEPTED_TYPES, download_headers

router = APIRouter(tags=["files"])


@router.get(
    "/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in ACCEPTED_TYPES}}},
)
async def download(file_id: uuid.UUID, session: SessionDep, principal: Reader) -> Response:
    row = await repository.get_with_content(session, file_id)
    if row is None:
        raise WorkflowNotFound(f"附件 {file_id} 不存在或不在您的管辖范围内")
    ensure_visible(principal, ps_id=row.ps_id, county=row.county, what=f"附件 {file_id} ")
    return Response(content=row.content, media_type=row.content_type, headers=download_headers(row))
