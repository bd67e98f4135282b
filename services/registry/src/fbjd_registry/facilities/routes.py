"""Facilities: list per enterprise, create, correct, delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.facilities import service
from fbjd_registry.facilities.schemas import FacilityIn, FacilityOut, FacilityPatch

router = APIRouter(tags=["facilities"])


@router.get("/enterprises/{ps_id}/facilities")
async def list_facilities(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[FacilityOut]:
    return await service.list_for(session, principal=principal, ps_id=ps_id)


@router.post("/enterprises/{ps_id}/facilities", status_code=201)
async def create_facility(ps_id: PsIdPath, data: FacilityIn, session: SessionDep, principal: Editor) -> FacilityOut:
    return await service.create(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, data=data)


@router.get("/facilities/{facility_id}")
async def get_facility(facility_id: uuid.UUID, session: SessionDep, principal: Reader) -> FacilityOut:
    return service.out(await service.get_visible_facility(session, principal=principal, facility_id=facility_id))


@router.patch("/facilities/{facility_id}")
async def patch_facility(
    facility_id: uuid.UUID, data: FacilityPatch, session: SessionDep, principal: Editor
) -> FacilityOut:
    return await service.patch(
        session, ctx=change_context(principal), principal=principal, facility_id=facility_id, data=data
    )


@router.delete("/facilities/{facility_id}", status_code=204)
async def delete_facility(facility_id: uuid.UUID, session: SessionDep, principal: Editor) -> Response:
    await service.delete(session, ctx=change_context(principal), principal=principal, facility_id=facility_id)
    return Response(status_code=204)
