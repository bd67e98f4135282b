"""GET /forwarding: the data upload's state for the city, per upstream (connection, cursor, backlog, last error)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fbjd_core.db import SessionDep

from fbjd_bridge.access import Operator
from fbjd_bridge.config import SettingsDep
from fbjd_bridge.forwarding import service
from fbjd_bridge.forwarding.schemas import ForwardingStatusOut
from fbjd_bridge.runtime import forwarders_running

router = APIRouter(tags=["forwarding"])


@router.get("/forwarding")
async def get_forwarding(
    session: SessionDep, _principal: Operator, settings: SettingsDep, request: Request
) -> ForwardingStatusOut:
    """The readings forwarded upstream as HJ 212, per upstream: whether the link is up, the last acknowledgement,
    the receipts waiting after its cursor (the backlog an outage leaves), and the last error."""
    return await service.status(session, upstreams=settings.upstreams, running=forwarders_running(request.app))
