"""GET /documents/{id}: a stored document as a download; DELETE /documents/{id}: remove it (see the service)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.access import Reader, change_context
from fbjd_registry.documents import service
from fbjd_registry.documents.content import ACCEPTED_TYPES, download_headers
from fbjd_registry.edge import SessionDep

__all__ = ["router"]

router = APIRouter(tags=["documents"])

Uploader = Annotated[Principal, Depends(require_roles(Role.ENTERPRISE, Role.COUNTY, Role.CITY))]


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in ACCEPTED_TYPES}}},
)
async def download_document(document_id: uuid.UUID, session: SessionDep, principal: Reader) -> Response:
    """Always an attachment of its checked type, with nosniff and a sandboxing CSP; never rendered inline."""
    document, content = await service.download(session, principal=principal, document_id=document_id)
    headers = download_headers(filename=document.filename, content_type=document.content_type)
    return Response(content=content, media_type=document.content_type, headers=headers)


@router.delete("/documents/{document_id}", status_code=204, response_class=Response)
async def remove_document(document_id: uuid.UUID, session: SessionDep, principal: Uploader) -> Response:
    await service.remove(session, ctx=change_context(principal), principal=principal, document_id=document_id)
    return Response(status_code=204)
