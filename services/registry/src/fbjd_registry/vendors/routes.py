"""Technical units (建设厂商/第三方运营商), their assignments to enterprises, quality, and the city's blacklist.

Reads of vendors: every reader; registering and correcting them: editors (city, county, admin). Assignments
are scoped like their enterprise. The blacklist is public to every signed-in role; only the city (and admin)
lists and removes.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.vendors import service
from fbjd_registry.vendors.schemas import (
    AssignmentIn,
    AssignmentOut,
    BlacklistEntryOut,
    BlacklistIn,
    BlacklistRemovalIn,
    VendorIn,
    VendorOut,
    VendorPatch,
    VendorQuality,
)
from fbjd_registry.vocabulary import VendorKind

__all__ = ["router"]

router = APIRouter(tags=["vendors"])

City = Annotated[Principal, Depends(require_roles(Role.CITY))]
SignedIn = Annotated[Principal, Depends(require_roles(*Role))]


@router.get("/vendors")
async def list_vendors(session: SessionDep, _principal: Reader, kind: VendorKind | None = None) -> list[VendorOut]:
    return await service.list_vendors(session, kind=kind)


@router.post("/vendors", status_code=201)
async def create_vendor(data: VendorIn, session: SessionDep, principal: Editor) -> VendorOut:
    return await service.create(session, ctx=change_context(principal), data=data)


@router.get("/vendors/{vendor_id}")
async def get_vendor(vendor_id: uuid.UUID, session: SessionDep, _principal: Reader) -> VendorOut:
    return await service.get_vendor(session, vendor_id)


@router.patch("/vendors/{vendor_id}")
async def patch_vendor(vendor_id: uuid.UUID, data: VendorPatch, session: SessionDep, principal: Editor) -> VendorOut:
    return await service.patch(session, ctx=change_context(principal), vendor_id=vendor_id, data=data)


@router.get("/vendors/{vendor_id}/quality")
async def vendor_quality(vendor_id: uuid.UUID, session: SessionDep, principal: Reader) -> VendorQuality:
    """Enterprises and points of the vendor, and the audit findings of those enterprises (within scope)."""
    return await service.quality(session, principal=principal, vendor_id=vendor_id)


@router.get("/enterprises/{ps_id}/vendors")
async def list_assignments(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[AssignmentOut]:
    return await service.list_assignments(session, principal=principal, ps_id=ps_id)


@router.post("/enterprises/{ps_id}/vendors", status_code=201)
async def assign_vendor(ps_id: PsIdPath, data: AssignmentIn, session: SessionDep, principal: Editor) -> AssignmentOut:
    return await service.assign(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, data=data)


@router.delete("/enterprises/{ps_id}/vendors/{assignment_id}", status_code=204)
async def unassign_vendor(
    ps_id: PsIdPath, assignment_id: uuid.UUID, session: SessionDep, principal: Editor
) -> Response:
    await service.unassign(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, assignment_id=assignment_id
    )
    return Response(status_code=204)


@router.get("/vendor-blacklist")
async def list_blacklist(
    session: SessionDep, _principal: SignedIn, include_removed: bool = False
) -> list[BlacklistEntryOut]:
    """The city's published blacklist (every signed-in role); include_removed adds past listings."""
    return await service.list_blacklist(session, include_removed=include_removed)


@router.post("/vendor-blacklist", status_code=201)
async def blacklist_vendor(data: BlacklistIn, session: SessionDep, principal: City) -> BlacklistEntryOut:
    return await service.blacklist(session, ctx=change_context(principal), data=data)


@router.post("/vendor-blacklist/{vendor_id}/removal")
async def unlist_vendor(
    vendor_id: uuid.UUID, data: BlacklistRemovalIn, session: SessionDep, principal: City
) -> BlacklistEntryOut:
    return await service.unlist(session, ctx=change_context(principal), vendor_id=vendor_id, data=data)
