"""The province's read API (role province, machine client; the city may read it too):

GET /province/abnormals?since=     records pushed (or waiting), with what was sent and their disposition
GET /province/dispositions?since=  disposition results (the city's review, inspections) as they arrived
GET /province/registry?cursor=     enterprises, facilities, points and links in the province's field names:
                                   everything without a cursor, the changes since it with one
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fbjd_core.db import SessionDep
from fbjd_core.time import from_cst, now

from fbjd_bridge.access import ProvinceReader
from fbjd_bridge.config import SettingsDep
from fbjd_bridge.errors import BridgeError
from fbjd_bridge.read_api import service
from fbjd_bridge.read_api.schemas import AbnormalPage, DispositionPage
from fbjd_bridge.registry_sync import service as registry_sync
from fbjd_bridge.registry_sync.schemas import RegistryPullOut

router = APIRouter(prefix="/province", tags=["province"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Since = Annotated[datetime | None, Query(description="ISO instant; without a time zone it is read as CST")]


def _utc(since: datetime | None) -> datetime | None:
    if since is None:
        return None
    try:
        return from_cst(since)
    except OverflowError:  # 0001-01-01T00:00 CST is before the first instant Python can hold in UTC
        raise BridgeError(f"since {since.isoformat()} is out of range", code="invalid_query", status=422) from None


@router.get("/abnormals")
async def read_abnormals(
    session: SessionDep, _principal: ProvinceReader, since: Since = None, limit: Limit = 200
) -> AbnormalPage:
    return await service.abnormals_since(session, since=_utc(since), limit=limit)


@router.get("/dispositions")
async def read_dispositions(
    session: SessionDep, _principal: ProvinceReader, since: Since = None, limit: Limit = 200
) -> DispositionPage:
    return await service.dispositions_since(session, since=_utc(since), limit=limit)


@router.get("/registry")
async def read_registry(
    session: SessionDep,
    _principal: ProvinceReader,
    settings: SettingsDep,
    request: Request,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None,
) -> RegistryPullOut:
    return await registry_sync.pull(
        session,
        request.app.state.registry,
        cursor=None if cursor is None else int(cursor),
        at=now(),
        min_interval_s=settings.registry_refresh_seconds,
    )
