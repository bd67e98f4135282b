"""Rules of the devices slice: registering and changing devices, and how they look from outside."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fbjd_core.auth import Principal, Role
from fbjd_core.errors import Forbidden
from fbjd_core.ids import new_id
from fbjd_core.time import now
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_ingest.config import Settings
from fbjd_ingest.devices import repository
from fbjd_ingest.devices.directory import DeviceInfo, FactorTarget, expected_interval_s
from fbjd_ingest.devices.models import Device
from fbjd_ingest.devices.schemas import DeviceCreate, DeviceOut, DevicePatch, FactorTargetIn
from fbjd_ingest.errors import DeviceExists

__all__ = ["device_out", "is_online", "register", "to_info", "update"]


def _factor_map(raw: dict[str, FactorTargetIn]) -> dict[str, Any]:
    return {code: target.model_dump(exclude_none=True) for code, target in raw.items()}


async def register(*, session: AsyncSession, data: DeviceCreate, settings: Settings, principal: Principal) -> Device:
    county = data.county
    if principal.role is Role.COUNTY:
        if county is not None and county != principal.county:
            raise Forbidden(f"a county principal registers devices of its own county ({principal.county}) only")
        county = principal.county
    if await repository.get_by_mn(session, data.mn) is not None:
        raise DeviceExists(f"a device with MN {data.mn} is already registered")
    at = now()
    device = Device(
        id=new_id(),
        mn=data.mn,
        password=data.password,
        ps_id=data.ps_id,
        county=county,
        name=data.name,
        profile=data.profile or settings.default_profile,
        factor_map=_factor_map(data.factor_map),
        rtd_interval_s=data.rtd_interval_s or settings.default_rtd_interval_s,
        min_interval_s=data.min_interval_s or settings.default_min_interval_s,
        data_cn=data.data_cn,
        created_at=at,
        updated_at=at,
    )
    try:
        await repository.add(session, device)
    except IntegrityError as exc:  # registered concurrently between our check and our insert
        raise DeviceExists(f"a device with MN {data.mn} is already registered") from exc
    return device


def update(*, device: Device, patch: DevicePatch, principal: Principal) -> set[str]:
    """Apply a patch; returns the names of the fields that changed."""
    changes = patch.model_dump(exclude_unset=True)
    if "county" in changes and principal.role is Role.COUNTY and changes["county"] != principal.county:
        raise Forbidden("a county principal cannot move a device to another county")
    changed: set[str] = set()
    for name, value in changes.items():
        if name == "factor_map":
            value = _factor_map(patch.factor_map or {})
        if value is None and name != "county":
            continue
        if getattr(device, name) != value:
            setattr(device, name, value)
            changed.add(name)
    if changed:
        device.updated_at = now()
    return changed


def to_info(device: Device) -> DeviceInfo:
    return DeviceInfo(
        mn=device.mn,
        password=device.password,
        ps_id=device.ps_id,
        county=device.county,
        profile=device.profile,
        factor_map={
            code: FactorTarget(spec.get("point_id"), spec.get("quantity"))
            for code, spec in (device.factor_map or {}).items()
        },
        rtd_interval_s=device.rtd_interval_s,
        min_interval_s=device.min_interval_s,
        data_cn=device.data_cn,
    )


def is_online(device: Device, *, online_factor: float, at: datetime) -> bool:
    if device.last_seen is None:
        return False
    interval = expected_interval_s(
        device.data_cn, rtd_interval_s=device.rtd_interval_s, min_interval_s=device.min_interval_s
    )
    return at - device.last_seen <= timedelta(seconds=online_factor * interval)


def device_out(device: Device, *, settings: Settings, connected: bool, at: datetime | None = None) -> DeviceOut:
    return DeviceOut(
        mn=device.mn,
        ps_id=device.ps_id,
        county=device.county,
        name=device.name,
        profile=device.profile,
        factor_map={code: FactorTargetIn(**spec) for code, spec in (device.factor_map or {}).items()},
        rtd_interval_s=device.rtd_interval_s,
        min_interval_s=device.min_interval_s,
        data_cn=device.data_cn,
        expected_interval_s=expected_interval_s(
            device.data_cn, rtd_interval_s=device.rtd_interval_s, min_interval_s=device.min_interval_s
        ),
        protocol_version=device.protocol_version,
        last_seen=device.last_seen,
        last_peer=device.last_peer,
        online=is_online(device, online_factor=settings.online_factor, at=at or now()),
        connected=connected,
        created_at=device.created_at,
    )
