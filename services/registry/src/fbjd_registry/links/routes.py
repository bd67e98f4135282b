"""Production↔treatment links: list per enterprise, create, delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.links import service
from fbjd_registry.links.schemas import LinkIn, LinkOut

router = APIRouter(tags=["links"])


@router.get("/enterprises/{ps_id}/links")
async def list_links(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> list[LinkOut]:
    return await service.list_for(session, principal=principal, ps_id=ps_id)


@router.post("/enterprises/{ps_id}/links", status_code=201)
async def create_link(ps_id: PsIdPath, data: LinkIn, session: SessionDep, principal: Editor) -> LinkOut:
    return await service.create(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, data=data)


@router.delete("/links/{link_id}", status_code=204)
async def delete_link(link_id: uuid.UUID, session: SessionDep, principal: Editor) -> Response:
    await service.delete(session, ctx=change_context(principal), principal=principal, link_id=link_id)
    return Response(status_code=204)
