"""GET /enterprises/{psId}/dossier, PUT …/dossier/{section}, POST …/dossier/{section}/documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, UploadFile
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.access import Reader, change_context
from fbjd_registry.config import SettingsDep
from fbjd_registry.documents.content import read_upload, required_upload
from fbjd_registry.documents.kinds import DossierSection
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.dossier import service
from fbjd_registry.dossier.schemas import SECTION_MODELS, DossierOut
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.enterprises.service import get_visible

__all__ = ["router"]

router = APIRouter(tags=["dossier"])

Writer = Annotated[Principal, Depends(require_roles(Role.ENTERPRISE, Role.COUNTY, Role.CITY))]
_SECTION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"oneOf": [m.model_json_schema() for m in SECTION_MODELS.values()]}}
        },
    }
}


@router.get("/enterprises/{ps_id}/dossier")
async def get_dossier(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> DossierOut:
    """一企一档: every section with its fields (empty before anything is saved) and its files."""
    return await service.get(session, principal=principal, ps_id=ps_id)


@router.put("/enterprises/{ps_id}/dossier/{section}", openapi_extra=_SECTION_BODY)
async def put_dossier_section(
    ps_id: PsIdPath,
    section: DossierSection,
    body: Annotated[dict[str, Any], Body()],
    session: SessionDep,
    principal: Writer,
) -> DossierOut:
    """Replace one section's fields (survey: SurveyFields, point_design, installation, alarm_plans)."""
    return await service.put_section(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, section=section, raw=body
    )


@router.post("/enterprises/{ps_id}/dossier/{section}/documents", status_code=201)
async def upload_dossier_document(
    ps_id: PsIdPath,
    section: DossierSection,
    session: SessionDep,
    principal: Writer,
    settings: SettingsDep,
    file: UploadFile | None = None,
    kind: Annotated[str | None, Form(description="one of the section's kinds; its first when omitted")] = None,
) -> DocumentOut:
    """A file of one section (multipart: `file`, optional `kind`, e.g. meter_box_photo in survey)."""
    await get_visible(session, principal=principal, ps_id=ps_id)
    document_kind = service.section_kind(section, kind)
    checked = await read_upload(required_upload(file), max_bytes=settings.document_max_bytes)
    return await service.upload(
        session,
        ctx=change_context(principal),
        principal=principal,
        ps_id=ps_id,
        section=section,
        kind=document_kind,
        file=checked,
    )
