"""Keeping, listing, serving and removing documents; every write is a change-log row of entity `document`.

Who may remove what follows who may upload it: application documents the enterprise, while its application is
a draft or under rectification; site audit photos the county, while it audits; dossier documents any writer of
the dossier within scope. Reading follows the enterprise's scope (an enterprise outside it answers 404).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from fbjd_core.auth import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.application import repository as applications_repository
from fbjd_registry.acceptance.application.states import EDITABLE, REVIEWABLE, STATE_LABELS, ApplicationState
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.documents import repository
from fbjd_registry.documents.content import CheckedFile
from fbjd_registry.documents.kinds import KIND_LABELS, Area, DocumentKind
from fbjd_registry.documents.models import Document
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import LifecycleError, RegistryNotFound, WriteForbidden

__all__ = ["ENTITY", "download", "list_out", "out", "present_kinds", "remove", "store"]

log = logging.getLogger(__name__)

ENTITY = "document"
APPLICATION, SITE_AUDIT = "application", "site_audit"


def out(row: Document) -> DocumentOut:
    return DocumentOut(
        id=row.id,
        ps_id=row.ps_id,
        area=row.area,
        section=row.section,
        kind=row.kind,
        kind_label=KIND_LABELS.get(DocumentKind(row.kind), row.kind),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        download_path=f"/api/registry/documents/{row.id}",
    )


async def store(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    ps_id: str,
    area: Area,
    section: str,
    kind: DocumentKind,
    file: CheckedFile,
) -> DocumentOut:
    """Keep the file (its bytes once per SHA-256) as a document of the enterprise."""
    size = len(file.content)
    await repository.put_blob(
        session, sha256=file.sha256, size=size, content_type=file.content_type, content=file.content, at=ctx.at
    )
    row = Document(
        ps_id=ps_id,
        area=area.value,
        section=section,
        kind=kind.value,
        filename=file.filename,
        sha256=file.sha256,
        size=size,
        content_type=file.content_type,
        uploaded_by=ctx.actor,
        uploaded_at=ctx.at,
    )
    await repository.add(session, row)
    stored = out(row)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=str(row.id), old=None, new=stored)
    log.info("document stored", extra={"ps_id": ps_id, "kind": kind.value, "size": size, "sha256": file.sha256})
    return stored


async def list_out(
    session: AsyncSession, *, ps_id: str, area: Area, sections: Sequence[str] | None = None
) -> list[DocumentOut]:
    return [out(row) for row in await repository.list_for(session, ps_id=ps_id, area=area.value, sections=sections)]


async def present_kinds(session: AsyncSession, *, ps_id: str, area: Area, section: str) -> set[str]:
    return {row.kind for row in await repository.list_for(session, ps_id=ps_id, area=area.value, sections=[section])}


async def _visible(session: AsyncSession, *, principal: Principal, document_id: uuid.UUID) -> Document:
    row = await repository.get(session, document_id)
    missing = RegistryNotFound(f"文件 {document_id} 不存在或不在您的管辖范围内")
    if row is None:
        raise missing
    try:
        await get_visible(session, principal=principal, ps_id=row.ps_id)
    except RegistryNotFound as exc:
        raise missing from exc
    return row


async def download(session: AsyncSession, *, principal: Principal, document_id: uuid.UUID) -> tuple[DocumentOut, bytes]:
    row = await _visible(session, principal=principal, document_id=document_id)
    content = await repository.content_of(session, row.sha256)
    if content is None:  # a foreign key keeps every document's blob; this would be a broken database
        raise RegistryNotFound(f"文件 {document_id} 的内容不存在")
    return out(row), content


async def _ensure_removable(session: AsyncSession, principal: Principal, row: Document) -> None:
    if row.area == Area.DOSSIER.value:
        return
    application = await applications_repository.get(session, row.ps_id)
    state = ApplicationState.DRAFT if application is None else ApplicationState(application.state)
    if row.section == APPLICATION:
        allowed_roles, allowed_states, who = {Role.ENTERPRISE}, EDITABLE, "企业本身"
    else:
        allowed_roles, allowed_states, who = {Role.COUNTY}, REVIEWABLE, "县级审核人员"
    if principal.role is not Role.ADMIN and principal.role not in allowed_roles:
        raise WriteForbidden(f"「{KIND_LABELS[DocumentKind(row.kind)]}」只能由{who}删除")
    if state not in allowed_states:
        raise LifecycleError(f"验收申请处于「{STATE_LABELS[state]}」状态，不能再删除「{row.filename}」")


async def remove(session: AsyncSession, *, ctx: ChangeContext, principal: Principal, document_id: uuid.UUID) -> None:
    """Remove the document (its content stays, as the change log still names it)."""
    row = await _visible(session, principal=principal, document_id=document_id)
    await _ensure_removable(session, principal, row)
    before = out(row)
    await repository.remove(session, row)
    await changes.record(session, ctx=ctx, ps_id=row.ps_id, entity=ENTITY, entity_id=str(row.id), old=before, new=None)
