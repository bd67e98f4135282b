"""GET /forwarding: the data upload's state for the city (upstream, connection, cursor, backlog, last error)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fbjd_core.db import SessionDep

from fbjd_bridge.access import Operator
from fbjd_bridge.config import SettingsDep
from fbjd_bridge.forwarding import service
from fbjd_bridge.forwarding.schemas import ForwardingStatusOut
from fbjd_bridge.runtime import forwarder_running

router = APIRouter(tags=["forwarding"])


@router.get("/forwarding")
async def get_forwarding(
    session: SessionDep, _principal: Operator, settings: SettingsDep, request: Request
) -> ForwardingStatusOut:
    """The readings forwarded upstream as HJ 212: whether the link is up, the last acknowledgement, the receipts
    waiting after the cursor (the backlog an outage leaves), and the last error."""
    return await service.status(session, upstream=settings.upstream_hj212, running=forwarder_running(request.app))
