"""HTTP: what is in quarantine, and adopting an MN's packets once it is registered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep
from fbjd_core.logging import scrub

from fbjd_ingest.access import Staff
from fbjd_ingest.devices import repository as devices
from fbjd_ingest.devices.schemas import AdoptionOut
from fbjd_ingest.devices.service import to_info
from fbjd_ingest.errors import DeviceNotFound
from fbjd_ingest.quarantine import repository
from fbjd_ingest.quarantine.models import QuarantinedPacket
from fbjd_ingest.quarantine.schemas import QuarantineGroup, QuarantineList, QuarantinePacketOut, QuarantinePackets
from fbjd_ingest.quarantine.service import adopt
from fbjd_ingest.runtime import RuntimeDep

__all__ = ["router"]

router = APIRouter(prefix="/quarantine", tags=["quarantine"])
Reason = Annotated[str | None, Query(description="unknown_mn, no_data_time, data_time_out_of_range, store_failed")]


def _packet(p: QuarantinedPacket) -> QuarantinePacketOut:
    return QuarantinePacketOut(
        id=str(p.id),
        reason=p.reason,
        peer=p.peer,
        received_at=p.received_at,
        st=p.st,
        cn=p.cn,
        qn=p.qn,
        data_time=p.data_time,
        raw=scrub(bytes(p.raw).decode("utf-8", errors="replace").rstrip("\r\n")),
    )


@router.get(
    "",
    response_model=QuarantineList,
    summary="Packets waiting in quarantine, grouped by MN (unknown terminals first of all)",
)
async def list_quarantine(
    session: SessionDep,
    _principal: Staff,
    reason: Reason = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    samples: Annotated[int, Query(ge=0, le=20)] = 3,
) -> QuarantineList:
    items: list[QuarantineGroup] = []
    for g in await repository.groups(session, reason=reason, limit=limit):
        latest = await repository.latest(session, mn=g.mn, reason=g.reason, limit=samples) if samples else []
        items.append(
            QuarantineGroup(
                mn=g.mn,
                reason=g.reason,
                packets=g.packets,
                first_received_at=g.first_received_at,
                last_received_at=g.last_received_at,
                peers=sorted(p for p in g.peers if p),
                cns=sorted(c for c in g.cns if c),
                samples=[_packet(p) for p in latest],
            )
        )
    return QuarantineList(items=items, total_packets=await repository.total_waiting(session))


@router.get("/{mn}", response_model=QuarantinePackets, summary="The quarantined packets of one MN, newest first")
async def quarantine_of(
    mn: str,
    session: SessionDep,
    _principal: Staff,
    reason: Reason = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> QuarantinePackets:
    rows = await repository.latest(session, mn=mn, reason=reason, limit=limit)
    return QuarantinePackets(mn=mn, items=[_packet(p) for p in rows])


@router.post(
    "/{mn}/adopt",
    response_model=AdoptionOut,
    summary="Store a registered MN's quarantined packets as its readings (registration does this too)",
)
async def adopt_quarantine(mn: str, session: SessionDep, principal: Staff, runtime: RuntimeDep) -> AdoptionOut:
    device = await devices.get_by_mn(session, mn)
    if device is None or not principal.can_see(enterprise_id=device.ps_id, county=device.county):
        raise DeviceNotFound(
            f"MN {mn} is not registered: register it (POST /api/ingest/devices), which also "
            "adopts its quarantined packets"
        )
    await runtime.writer.barrier()
    result = await adopt(
        pool=runtime.pool, partitions=runtime.partitions, settings=runtime.settings, device=to_info(device)
    )
    return AdoptionOut(packets=result.packets, readings=result.readings, left=result.left)
