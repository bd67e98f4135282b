"""The county's platform audit (分表计电平台审核表) and site audit of an enterprise's acceptance application."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, UploadFile
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.acceptance.review import service
from fbjd_registry.acceptance.review.schemas import PlatformAuditIn, PlatformAuditOut, SiteAuditIn
from fbjd_registry.access import Reader, change_context
from fbjd_registry.config import SettingsDep
from fbjd_registry.documents.content import read_upload, required_upload
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.enterprises.service import get_visible

__all__ = ["router"]

router = APIRouter(tags=["acceptance audit"])

Auditor = Annotated[Principal, Depends(require_roles(Role.COUNTY))]
BASE = "/enterprises/{ps_id}/acceptance"


def _body_of(model: type[PlatformAuditIn] | type[SiteAuditIn]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


@router.get(f"{BASE}/audit")
async def get_platform_audit(
    ps_id: PsIdPath,
    session: SessionDep,
    principal: Reader,
    transmission_rate: Annotated[
        float | None, Query(ge=0, le=100, description="monthly transmission rate in % (from the rules service)")
    ] = None,
) -> PlatformAuditOut:
    """The twelve items pre-filled from the registry's data with their evidence, and the auditor's confirmation
    of this submission round (if saved), with the site audit and its photos."""
    return await service.get_audit(session, principal=principal, ps_id=ps_id, transmission_rate=transmission_rate)


@router.put(f"{BASE}/audit", openapi_extra=_body_of(PlatformAuditIn))
async def put_platform_audit(
    ps_id: PsIdPath, body: Annotated[dict[str, Any], Body()], session: SessionDep, principal: Auditor
) -> PlatformAuditOut:
    """The county confirms all twelve items (schema PlatformAuditIn); a failed item needs an opinion and the
    audit a rectification deadline, and sends the application to rectification."""
    return await service.put_platform_audit(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, raw=body
    )


@router.put(f"{BASE}/site-audit", openapi_extra=_body_of(SiteAuditIn))
async def put_site_audit(
    ps_id: PsIdPath, body: Annotated[dict[str, Any], Body()], session: SessionDep, principal: Auditor
) -> PlatformAuditOut:
    """现场核查记录 (schema SiteAuditIn), after the platform audit passed: passed → the application passes."""
    return await service.put_site_audit(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, raw=body
    )


@router.post(f"{BASE}/site-audit/photos", status_code=201)
async def upload_site_photo(
    ps_id: PsIdPath,
    session: SessionDep,
    principal: Auditor,
    settings: SettingsDep,
    file: UploadFile | None = None,
) -> DocumentOut:
    """A photo (or scanned record) of the site audit (multipart: `file`)."""
    await get_visible(session, principal=principal, ps_id=ps_id)
    checked = await read_upload(required_upload(file), max_bytes=settings.document_max_bytes)
    return await service.upload_site_photo(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, file=checked
    )
