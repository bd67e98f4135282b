"""The enterprise's acceptance application: the form, its documents, submission (the enterprise itself)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, UploadFile
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.acceptance.application import service
from fbjd_registry.acceptance.application.schemas import ApplicationForm, ApplicationOut
from fbjd_registry.access import Reader, change_context
from fbjd_registry.config import SettingsDep
from fbjd_registry.documents import service as documents
from fbjd_registry.documents.content import read_upload, required_upload
from fbjd_registry.documents.kinds import Area
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.enterprises.service import get_visible

__all__ = ["router"]

router = APIRouter(tags=["acceptance application"])

Applicant = Annotated[Principal, Depends(require_roles(Role.ENTERPRISE))]
BASE = "/enterprises/{ps_id}/acceptance"
_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ApplicationForm.model_json_schema()}},
    }
}


@router.get(f"{BASE}/application")
async def get_application(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> ApplicationOut:
    """The application as it stands (state draft and `saved` false before anything is saved), with what is
    still missing before it can be submitted."""
    return await service.get(session, principal=principal, ps_id=ps_id)


@router.post(f"{BASE}/application", openapi_extra=_FORM_BODY)
async def save_application_form(
    ps_id: PsIdPath, body: Annotated[dict[str, Any], Body()], session: SessionDep, principal: Applicant
) -> ApplicationOut:
    """Save 分表计电验收申请基础信息表 (schema ApplicationForm; every 必填 field checked, all problems at once)."""
    return await service.save_form(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, raw=body)


@router.post(f"{BASE}/application/submit")
async def submit_application(ps_id: PsIdPath, session: SessionDep, principal: Applicant) -> ApplicationOut:
    """draft/rectification → submitted; 422 listing every missing field and document otherwise."""
    return await service.submit(session, ctx=change_context(principal), principal=principal, ps_id=ps_id)


@router.post(f"{BASE}/documents", status_code=201)
async def upload_application_document(
    ps_id: PsIdPath,
    session: SessionDep,
    principal: Applicant,
    settings: SettingsDep,
    file: UploadFile | None = None,
    kind: Annotated[str | None, Form(description="permit_copy, eia_extract, control_measures, point_table, …")] = None,
) -> DocumentOut:
    """One document of the application (multipart: `file`, `kind`); PDF/JPEG/PNG/xlsx/docx by content."""
    await get_visible(session, principal=principal, ps_id=ps_id)
    document_kind = service.application_kind(kind)
    checked = await read_upload(required_upload(file), max_bytes=settings.document_max_bytes)
    return await service.upload(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, kind=document_kind, file=checked
    )


@router.get(f"{BASE}/documents")
async def list_acceptance_documents(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[DocumentOut]:
    """Every document of the acceptance: the application's and the site audit's photos."""
    await get_visible(session, principal=principal, ps_id=ps_id)
    return await documents.list_out(session, ps_id=ps_id, area=Area.ACCEPTANCE)
