"""POST /abnormals: the rules service reports a record version (real time, each time it changes)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_bridge.access import Sender
from fbjd_bridge.records import flows
from fbjd_bridge.records.schemas import AbnormalIn, ArrivalOut
from fbjd_bridge.runtime import wake_sender

router = APIRouter(tags=["records"])


@router.post("/abnormals", status_code=202)
async def post_abnormal(
    record: AbnormalIn, session: SessionDep, _principal: Sender, request: Request, background: BackgroundTasks
) -> ArrivalOut:
    """Idempotent: the same id and version again, or an older version, is a no-op (answered 202 all the same).
    The record is committed with its outbox row before the answer; the sender is woken after it."""
    arrival = await flows.receive(session, record, at=now())
    background.add_task(wake_sender, request.app)
    return arrival
