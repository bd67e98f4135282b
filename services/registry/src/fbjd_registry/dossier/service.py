"""The enterprise dossier (一企一档): read whole, write one section at a time, keep each section's files.

Every write is a change-log row (entity `dossier_section` or `document`), so the dossier's history is the
registry's own. The enterprise, its county and the city may write it (within their scope).
"""

from __future__ import annotations

from typing import Any

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.checked import parsed
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.documents import service as documents
from fbjd_registry.documents.content import CheckedFile
from fbjd_registry.documents.kinds import (
    DOSSIER_SECTION_KINDS,
    DOSSIER_SECTION_LABELS,
    KIND_LABELS,
    Area,
    DocumentKind,
    DossierSection,
)
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.dossier import repository
from fbjd_registry.dossier.models import DossierSectionRow
from fbjd_registry.dossier.schemas import (
    DOSSIER_LABELS,
    SECTION_MODELS,
    DocumentKindOut,
    DossierOut,
    SectionOut,
    SectionSnapshot,
)
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.errors import InvalidInput, Problem

__all__ = ["ENTITY", "get", "put_section", "section_kind", "upload"]

ENTITY = "dossier_section"


def _empty(section: DossierSection) -> dict[str, Any]:
    return SECTION_MODELS[section.value]().model_dump(mode="json")


async def get(session: AsyncSession, *, principal: Principal, ps_id: str) -> DossierOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    rows = {row.section: row for row in await repository.list_for(session, ps_id)}
    docs = await documents.list_out(session, ps_id=ps_id, area=Area.DOSSIER)
    sections = []
    for section in DossierSection:
        row = rows.get(section.value)
        sections.append(
            SectionOut(
                section=section.value,
                label=DOSSIER_SECTION_LABELS[section],
                fields=_empty(section) if row is None else row.fields,
                document_kinds=[
                    DocumentKindOut(kind=k.value, label=KIND_LABELS[k]) for k in DOSSIER_SECTION_KINDS[section]
                ],
                documents=[d for d in docs if d.section == section.value],
                updated_by=None if row is None else row.updated_by,
                updated_at=None if row is None else row.updated_at,
            )
        )
    return DossierOut(ps_id=ps_id, enterprise_name=enterprise.name, sections=sections)


async def put_section(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    principal: Principal,
    ps_id: str,
    section: DossierSection,
    raw: dict[str, Any],
) -> DossierOut:
    """Replace the section's fields with `raw` (checked against the section's own schema)."""
    await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    fields = parsed(SECTION_MODELS[section.value], raw, DOSSIER_LABELS).model_dump(mode="json")
    row = await repository.get(session, ps_id=ps_id, section=section.value)
    before = None if row is None else SectionSnapshot(section=section.value, fields=row.fields)
    if row is None:
        row = DossierSectionRow(
            ps_id=ps_id, section=section.value, fields=fields, updated_by=ctx.actor, updated_at=ctx.at
        )
    row.fields, row.updated_by, row.updated_at = fields, ctx.actor, ctx.at
    await repository.add(session, row)
    await changes.record(
        session,
        ctx=ctx,
        ps_id=ps_id,
        entity=ENTITY,
        entity_id=f"{ps_id}:{section.value}",
        old=before,
        new=SectionSnapshot(section=section.value, fields=fields),
    )
    return await get(session, principal=principal, ps_id=ps_id)


def section_kind(section: DossierSection, value: str | None) -> DocumentKind:
    """The kind of a file of this section: `value` if it belongs to the section, its first kind when omitted."""
    kinds = DOSSIER_SECTION_KINDS[section]
    if value is None:
        return kinds[0]
    for kind in kinds:
        if kind.value == value:
            return kind
    allowed = "、".join(f"{k.value}（{KIND_LABELS[k]}）" for k in kinds)
    message = f"「{DOSSIER_SECTION_LABELS[section]}」的文件类型须为以下之一：{allowed}；现为 {value!r}"
    raise InvalidInput([Problem(field="kind", label="文件类型", message=message)])


async def upload(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    principal: Principal,
    ps_id: str,
    section: DossierSection,
    kind: DocumentKind,
    file: CheckedFile,
) -> DocumentOut:
    await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    return await documents.store(
        session, ctx=ctx, ps_id=ps_id, area=Area.DOSSIER, section=section.value, kind=kind, file=file
    )
