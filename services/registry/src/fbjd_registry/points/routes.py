"""Monitoring points: list per enterprise, create, correct (e.g. a new threshold), delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.points import service
from fbjd_registry.points.schemas import PointIn, PointOut, PointPatch

router = APIRouter(tags=["points"])


@router.get("/enterprises/{ps_id}/points")
async def list_points(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[PointOut]:
    return await service.list_for(session, principal=principal, ps_id=ps_id)


@router.post("/enterprises/{ps_id}/points", status_code=201)
async def create_point(ps_id: PsIdPath, data: PointIn, session: SessionDep, principal: Editor) -> PointOut:
    return await service.create(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, data=data)


@router.get("/points/{point_id}")
async def get_point(point_id: uuid.UUID, session: SessionDep, principal: Reader) -> PointOut:
    return service.out(await service.get_visible_point(session, principal=principal, point_id=point_id))


@router.patch("/points/{point_id}")
async def patch_point(point_id: uuid.UUID, data: PointPatch, session: SessionDep, principal: Editor) -> PointOut:
    return await service.patch(
        session, ctx=change_context(principal), principal=principal, point_id=point_id, data=data
    )


@router.delete("/points/{point_id}", status_code=204)
async def delete_point(point_id: uuid.UUID, session: SessionDep, principal: Editor) -> Response:
    await service.delete(session, ctx=change_context(principal), principal=principal, point_id=point_id)
    return Response(status_code=204)
