"""POST /dispositions: the workflow reports a disposition result (the city rejected, the inspection closed…)."""

from __future__ import annotations

from fastapi import APIRouter
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_bridge.access import Sender
from fbjd_bridge.dispositions import service
from fbjd_bridge.dispositions.schemas import DispositionIn, DispositionReceipt

router = APIRouter(tags=["dispositions"])


@router.post("/dispositions", status_code=202)
async def post_disposition(disposition: DispositionIn, session: SessionDep, _principal: Sender) -> DispositionReceipt:
    """Idempotent per (alarm_id, stage): the same stage again is a no-op. Kept for the province's read API."""
    return await service.receive(session, disposition, at=now())
