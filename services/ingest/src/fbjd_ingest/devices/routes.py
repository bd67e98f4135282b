"""HTTP: register, list, read and change devices."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_ingest.access import Reader, Writer, ensure_visible, scope_of
from fbjd_ingest.commands.service import push_intervals
from fbjd_ingest.devices import repository, service
from fbjd_ingest.devices.models import Device
from fbjd_ingest.devices.schemas import AdoptionOut, DeviceCreate, DeviceOut, DevicePatch, DeviceRegistered
from fbjd_ingest.errors import DeviceNotFound
from fbjd_ingest.quarantine.service import adopt
from fbjd_ingest.runtime import IngestRuntime, RuntimeDep

__all__ = ["router", "visible_device"]

log = logging.getLogger(__name__)
router = APIRouter(prefix="/devices", tags=["devices"])


async def visible_device(session: SessionDep, principal: Reader, mn: str) -> Device:
    """The device with this MN if the caller may see it, else DeviceNotFound (404)."""
    device = await repository.get_by_mn(session, mn)
    if device is None:
        raise DeviceNotFound(f"no device with MN {mn} (or it is not yours to see)")
    ensure_visible(principal, mn=mn, ps_id=device.ps_id, county=device.county)
    return device


def _out(runtime: IngestRuntime, device: Device) -> DeviceOut:
    return service.device_out(
        device, settings=runtime.settings, connected=runtime.dispatcher.link_for(device.mn) is not None
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceRegistered,
    summary="Register a terminal (MN); adopts its quarantined packets",
    responses={409: {"description": "MN already registered"}, 422: {"description": "bad MN, psId, ..."}},
)
async def register_device(
    data: DeviceCreate, session: SessionDep, principal: Writer, runtime: RuntimeDep
) -> DeviceRegistered:
    device = await service.register(session=session, data=data, settings=runtime.settings, principal=principal)
    await session.commit()  # the edge: the device must exist before its packets are accepted and adopted
    info = service.to_info(device)
    runtime.directory.put(info)
    await runtime.writer.barrier()  # quarantine rows queued before the put are committed: adopt them too
    adoption = await adopt(pool=runtime.pool, partitions=runtime.partitions, settings=runtime.settings, device=info)
    log.info("device registered", extra={"mn": device.mn, "ps_id": device.ps_id, "by": principal.subject})
    return DeviceRegistered(
        **_out(runtime, device).model_dump(),
        adopted=AdoptionOut(packets=adoption.packets, readings=adoption.readings, left=adoption.left),
    )


@router.get(
    "",
    response_model=list[DeviceOut],
    summary="List devices (ordered by MN) with online state and last seen; total in X-Total-Count",
)
async def list_devices(
    session: SessionDep,
    principal: Reader,
    runtime: RuntimeDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DeviceOut]:
    ps_id, county = scope_of(principal)
    devices = await repository.list_devices(session, ps_id=ps_id, county=county, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(await repository.count(session, ps_id=ps_id, county=county))
    at = now()
    return [
        service.device_out(d, settings=runtime.settings, connected=runtime.dispatcher.link_for(d.mn) is not None, at=at)
        for d in devices
    ]


@router.get("/{mn}", response_model=DeviceOut, summary="One device")
async def get_device(mn: str, session: SessionDep, principal: Reader, runtime: RuntimeDep) -> DeviceOut:
    return _out(runtime, await visible_device(session, principal, mn))


@router.patch(
    "/{mn}",
    response_model=DeviceOut,
    summary="Change a device; new intervals are also sent to the terminal when it is connected",
)
async def patch_device(
    mn: str, patch: DevicePatch, session: SessionDep, principal: Writer, runtime: RuntimeDep
) -> DeviceOut:
    device = await visible_device(session, principal, mn)
    changed = service.update(device=device, patch=patch, principal=principal)
    await session.commit()
    info = service.to_info(device)
    runtime.directory.put(info)
    if changed & {"rtd_interval_s", "min_interval_s"}:
        await push_intervals(runtime, info, changed, requested_by=principal.subject)
    return _out(runtime, device)
