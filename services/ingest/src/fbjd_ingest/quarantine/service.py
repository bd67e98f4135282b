"""Adopting quarantined packets once their MN is registered.

Each quarantined packet is parsed again from its raw bytes and stored exactly as if it had arrived from a
registered terminal (same rows, same `ON CONFLICT DO NOTHING` keys — so adopting twice, or adopting data the
terminal also resent, stores it once). Packets whose PW does not match the registered password stay in
quarantine: they would have been refused live. Packets with nothing to store (notifications, replies) are
marked adopted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from fbjd_core.time import from_cst, now
from hj212 import Hj212Error, parse_frame, parse_message

from fbjd_ingest.config import Settings
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_ingest.quarantine.store import mark_adopted, waiting_packets
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import ReadingRow, ReceiptRow, cst_day, reading_rows, receipt_row
from fbjd_ingest.readings.store import insert_readings, insert_receipts

__all__ = ["Adoption", "adopt"]

log = logging.getLogger(__name__)

_PAGE = 1000
_START = (datetime(1970, 1, 1, tzinfo=UTC), uuid.UUID(int=0))


@dataclass
class Adoption:
    packets: int = 0
    readings: int = 0
    left: int = 0


@dataclass
class _Page:
    adopted: list[uuid.UUID]
    receipts: list[ReceiptRow]
    readings: list[ReadingRow]
    left: int


def _convert(device: DeviceInfo, rows: list[asyncpg.Record], settings: Settings) -> _Page:
    page = _Page([], [], [], 0)
    at = now()
    lowest, highest = at - timedelta(days=settings.max_data_age_days), at + timedelta(seconds=settings.max_future_s)
    for row in rows:
        try:
            msg = parse_message(parse_frame(bytes(row["raw"])).segment)
        except Hj212Error:
            page.left += 1
            continue
        if msg.pw != device.password:
            page.left += 1
            continue
        cn = msg.cn or ""
        local = msg.data_time
        if len(cn) == 4 and cn[0] in "23" and local is not None:
            data_time = from_cst(local)
            if not lowest <= data_time <= highest:
                page.left += 1
                continue
            page.receipts.append(receipt_row(device, msg, data_time, row["received_at"], row["peer"]))
            page.readings.extend(reading_rows(device, msg, data_time, row["received_at"]))
        page.adopted.append(row["id"])
    return page


async def adopt(
    *, pool: asyncpg.Pool, partitions: PartitionManager, settings: Settings, device: DeviceInfo
) -> Adoption:
    """Store the quarantined packets of `device.mn` as its readings, page by page, each page one transaction."""
    result = Adoption()
    cursor = _START
    while True:
        async with pool.acquire() as conn:
            rows = await waiting_packets(conn, device.mn, after=cursor, limit=_PAGE)
            if not rows:
                break
            cursor = (rows[-1]["received_at"], rows[-1]["id"])
            page = _convert(device, rows, settings)
            await partitions.ensure(conn, {cst_day(r.data_time) for r in page.receipts})
            async with conn.transaction():
                await insert_receipts(conn, page.receipts)
                result.readings += await insert_readings(conn, page.readings)
                await mark_adopted(conn, page.adopted, ps_id=device.ps_id, at=now())
        result.packets += len(page.adopted)
        result.left += page.left
    if result.packets or result.left:
        log.info(
            "quarantine adopted",
            extra={"mn": device.mn, "packets": result.packets, "readings": result.readings, "left": result.left},
        )
    return result
