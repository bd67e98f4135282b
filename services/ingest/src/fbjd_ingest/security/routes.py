"""HTTP: security events (refused packets) and the ingest path's counters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep

from fbjd_ingest.access import Staff
from fbjd_ingest.runtime import RuntimeDep
from fbjd_ingest.security import repository
from fbjd_ingest.security.schemas import SecurityEventList, SecurityEventOut

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get(
    "/security-events",
    response_model=SecurityEventList,
    summary="Refused packets (wrong access password), newest first",
)
async def security_events(
    session: SessionDep,
    _principal: Staff,
    mn: str | None = None,
    ps_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> SecurityEventList:
    rows = await repository.recent(session, mn=mn, ps_id=ps_id, limit=limit)
    return SecurityEventList(
        items=[
            SecurityEventOut(
                at=r.at, kind=r.kind, mn=r.mn, ps_id=r.ps_id, peer=r.peer, cn=r.cn, qn=r.qn, detail=r.detail
            )
            for r in rows
        ]
    )


@router.get("/stats", summary="Counters of this ingest process: packets, acks, bad frames by type, connections")
async def stats(_principal: Staff, runtime: RuntimeDep) -> dict[str, Any]:
    snapshot = runtime.stats.snapshot()
    snapshot["devices_registered"] = len(runtime.directory)
    snapshot["terminals_connected"] = len(runtime.dispatcher.links)
    return snapshot
