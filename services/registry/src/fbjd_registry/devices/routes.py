"""GET /devices: each MN with its enterprise and points (what the simulator and the runner register and simulate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fbjd_registry.access import Reader
from fbjd_registry.devices import service
from fbjd_registry.devices.schemas import DeviceOut
from fbjd_registry.edge import SessionDep

router = APIRouter(tags=["devices"])


@router.get("/devices")
async def list_devices(
    session: SessionDep,
    principal: Reader,
    ps_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
) -> list[DeviceOut]:
    return await service.list_devices(session, principal=principal, ps_id=ps_id)
