"""The declaration API: 提前申报 (JSON) and its approval, 事后申报 (multipart with evidence files)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_workflow.access import EnterpriseUser, Reader, Reviewer
from fbjd_workflow.config import SettingsDep
from fbjd_workflow.declarations import repository
from fbjd_workflow.declarations.schemas import DeclarationDecisionIn, DeclarationOut, PreDeclarationIn
from fbjd_workflow.errors import InvalidInput
from fbjd_workflow.files.service import read_upload
from fbjd_workflow.process.declaring import create_after, create_before, decide, load_visible_declaration
from fbjd_workflow.process.documents import declaration_outs
from fbjd_workflow.sites import SitesDep
from fbjd_workflow.vocabulary import DeclarationKind, DeclarationStatus, HandlingReason

router = APIRouter(tags=["declarations"])

EVIDENCE = "evidence: PDF, JPEG, PNG, xlsx or docx (judged by content), each ≤ the size limit"


@router.post("/declarations/before", status_code=201)
async def declare_before(
    data: PreDeclarationIn, session: SessionDep, principal: EnterpriseUser, sites: SitesDep
) -> DeclarationOut:
    """提前申报: a facility, a window and a reason, for the city to approve in advance."""
    declaration = await create_before(session, principal, data, sites=sites, at=now())
    return (await declaration_outs(session, [declaration]))[0]


@router.post("/declarations/{declaration_id}/decision")
async def decide_declaration(
    declaration_id: uuid.UUID, data: DeclarationDecisionIn, session: SessionDep, principal: Reviewer
) -> DeclarationOut:
    """The city (or the county, for its own) approves or refuses a pre-declaration; approval covers the
    matching open alarms at once."""
    declaration, _covered = await decide(session, principal, declaration_id, data, at=now())
    return (await declaration_outs(session, [declaration]))[0]


@router.post("/alarms/{alarm_id}/declarations", status_code=201)
async def declare_after(
    alarm_id: uuid.UUID,
    session: SessionDep,
    principal: EnterpriseUser,
    settings: SettingsDep,
    reason: Annotated[HandlingReason, Form(description="equipment_fault | power_loss | maintenance | other")],
    text: Annotated[str, Form(min_length=2, max_length=2000, description="原因说明")],
    files: Annotated[list[UploadFile], File(description=EVIDENCE)] = [],  # noqa: B006
) -> DeclarationOut:
    """事后申报 with evidence files. Any file too large (413) or not PDF/JPEG/PNG/xlsx/docx (415) refuses the whole
    declaration: nothing is kept."""
    if len(files) > settings.max_files_per_upload:
        raise InvalidInput(f"一次最多上传 {settings.max_files_per_upload} 个附件")
    checked = [await read_upload(upload, max_bytes=settings.max_file_bytes) for upload in files]
    declaration = await create_after(session, principal, alarm_id, reason=reason, text=text, files=checked, at=now())
    return (await declaration_outs(session, [declaration]))[0]


@router.get("/declarations")
async def list_declarations(
    session: SessionDep,
    principal: Reader,
    kind: DeclarationKind | None = None,
    status: DeclarationStatus | None = None,
    ps_id: str | None = None,
    county: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DeclarationOut]:
    """Declarations in the caller's scope, oldest first (the city's approval queue: kind=before&status=pending)."""
    if principal.role is Role.ENTERPRISE:
        ps_id = principal.enterprise_id if ps_id in (None, principal.enterprise_id) else "-"
    if principal.role is Role.COUNTY:
        county = principal.county if county in (None, principal.county) else "-"
    rows = await repository.list_declarations(
        session,
        kind=None if kind is None else kind.value,
        status=None if status is None else status.value,
        ps_id=ps_id,
        county=county,
        limit=limit,
        offset=offset,
    )
    return await declaration_outs(session, list(rows))


@router.get("/declarations/{declaration_id}")
async def get_declaration(declaration_id: uuid.UUID, session: SessionDep, principal: Reader) -> DeclarationOut:
    declaration = await load_visible_declaration(session, principal, declaration_id)
    return (await declaration_outs(session, [declaration]))[0]
