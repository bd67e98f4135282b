"""HTTP: what a device sent, time-ordered, a bounded page at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep
from fbjd_core.time import from_cst, now

from fbjd_ingest.access import Reader
from fbjd_ingest.devices.routes import visible_device
from fbjd_ingest.errors import IngestError
from fbjd_ingest.readings import repository
from fbjd_ingest.readings.schemas import DeviceData, ReceivedPacket, ReceivedValue

__all__ = ["router"]

router = APIRouter(prefix="/devices/{mn}/data", tags=["readings"])


def _aware(moment: datetime) -> datetime:
    """A time without an offset is China Standard Time (what people and terminals mean)."""
    return from_cst(moment)


def _cursor(text: str | None) -> tuple[datetime, str] | None:
    if not text:
        return None
    moment, _, cn = text.rpartition("|")
    try:
        return datetime.fromisoformat(moment), cn
    except ValueError:
        raise IngestError(f"cursor {text!r} is not one this API returned") from None


@router.get("", response_model=DeviceData, summary="Data received from a device (default: the last 24 hours)")
async def device_data(
    mn: str,
    session: SessionDep,
    principal: Reader,
    start: Annotated[datetime | None, Query(description="from this DataTime (inclusive); no offset = CST")] = None,
    end: Annotated[datetime | None, Query(description="to this DataTime (exclusive); default now")] = None,
    cn: Annotated[str | None, Query(pattern=r"^\d{4}$", description="only this CN (2011, 2051, 2061, ...)")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="received DataTimes per page")] = 500,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> DeviceData:
    await visible_device(session, principal, mn)
    end_at = _aware(end) if end is not None else now() + timedelta(seconds=1)
    start_at = _aware(start) if start is not None else end_at - timedelta(days=1)
    if end_at <= start_at:
        raise IngestError("end must be after start", status=422)
    receipts = await repository.receipts_page(
        session, mn=mn, start=start_at, end=end_at, cn=cn, after=_cursor(cursor), limit=limit
    )
    packets: dict[tuple[str, datetime], ReceivedPacket] = {}
    for r in receipts:
        packets[(r.cn, r.data_time)] = ReceivedPacket(
            cn=r.cn,
            data_time=r.data_time,
            received_at=r.received_at,
            qn=r.qn,
            flag=r.flag,
            pnum=r.pnum,
            pno=r.pno,
            params=r.params,
            values={},
        )
    if receipts:
        readings = await repository.readings_between(
            session,
            mn=mn,
            first=receipts[0].data_time,
            last=receipts[-1].data_time,
            cns=sorted({r.cn for r in receipts}),
        )
        for x in readings:
            packet = packets.get((x.cn, x.data_time))
            if packet is not None:
                packet.values[x.code] = ReceivedValue(
                    quantity=x.quantity,
                    point_id=x.point_id,
                    rtd=x.rtd,
                    avg=x.avg,
                    min=x.min,
                    max=x.max,
                    cou=x.cou,
                    flag=x.flag,
                    extra=x.extra,
                )
    last = receipts[-1] if len(receipts) == limit else None
    return DeviceData(
        mn=mn,
        start=start_at,
        end=end_at,
        cn=cn,
        items=list(packets.values()),
        next_cursor=None if last is None else f"{last.data_time.isoformat()}|{last.cn}",
    )
