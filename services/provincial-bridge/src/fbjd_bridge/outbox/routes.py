"""The city's view of the push: GET /status (per endpoint), the dead-letter list and its retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_bridge.access import Operator
from fbjd_bridge.config import SettingsDep
from fbjd_bridge.outbox import service
from fbjd_bridge.outbox.schemas import DeadLetterOut, StatusOut
from fbjd_bridge.province.payload import Endpoint
from fbjd_bridge.registry_push import service as registry_push
from fbjd_bridge.runtime import registry_pusher_running, sender_running, wake_sender
from fbjd_bridge.storable import BIGINT_MAX

router = APIRouter(tags=["outbox"])


@router.get("/status")
async def get_status(session: SessionDep, _principal: Operator, settings: SettingsDep, request: Request) -> StatusOut:
    """Per endpoint: backlog, dead letters, last success, last error, and the back-off of a failing province;
    the registry push's cursor, pending changes, last success and last error."""
    out = await service.status(session, base_url=settings.province_base_url, sender_running=sender_running(request.app))
    out.registry_push = await registry_push.status(
        session, target=settings.province_registry_push_url, running=registry_pusher_running(request.app)
    )
    return out


@router.get("/dead-letters")
async def list_dead_letters(
    session: SessionDep,
    _principal: Operator,
    endpoint: Endpoint | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[DeadLetterOut]:
    """Records the province refused as invalid (or that could not be written in its format), newest first."""
    return await service.dead_letters(session, endpoint=endpoint, limit=limit)


@router.post("/dead-letters/{seq}/retry")
async def retry_dead_letter(
    seq: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    session: SessionDep,
    _principal: Operator,
    request: Request,
    background: BackgroundTasks,
) -> DeadLetterOut:
    """Back in the queue (once the cause is fixed at the province, e.g. its registry caught up)."""
    letter = await service.requeue(session, seq, at=now())
    background.add_task(wake_sender, request.app)
    return letter
