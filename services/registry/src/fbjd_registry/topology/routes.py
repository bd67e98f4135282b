"""GET /enterprises/{psId}/topology?at=ISO: facilities, points, links (and treatment groups) as of t."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fbjd_core.time import from_cst

from fbjd_registry.access import Reader
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.topology import service
from fbjd_registry.topology.schemas import TopologyOut

router = APIRouter(tags=["topology"])


@router.get("/enterprises/{ps_id}/topology")
async def get_topology(
    ps_id: PsIdPath, session: SessionDep, principal: Reader, at: datetime | None = None
) -> TopologyOut:
    """`at` omitted: the registry now. `at` without a time zone is read as China Standard Time."""
    moment = None if at is None else from_cst(at)
    return await service.topology_for(session, principal=principal, ps_id=ps_id, at=moment)
