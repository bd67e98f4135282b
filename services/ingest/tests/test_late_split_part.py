"""A late part of a split packet (分包, PNUM/PNO) reopens its receipt in commit order: the batch that adds
readings to a receipt stored before it moves the receipt's transaction id (receipts_v1.xid) to itself, so a
reader walking by xid (the bridge's forwarder) meets the receipt again, complete. A resend that adds nothing
leaves the receipt where it was (a terminal's whole-day resend must not re-forward the day)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import from_cst
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import cst_day, reading_rows, receipt_row
from fbjd_ingest.readings.store import insert_readings, insert_receipts
from hj212 import parse_message

from .conftest import new_mn, stored_device

DAY = datetime(2089, 7, 1, tzinfo=UTC)
FIRST_PART = "d20101-Rtd=220.1;d20201-Rtd=221.2;d20301-Rtd=219.8;d20401-Rtd=0.24"  # 4 factors
SECOND_PART = "d20501-Avg=13.25;i33201-Cou=1.1"  # 2 more


def part(mn: str, data_time: str, pno: int, factors: str) -> str:
    """Part `pno` of a minute upload split in two (Flag 7: answer required, packet split)."""
    return (
        f"QN={data_time}00{pno};PNUM=2;PNO={pno};ST=44;CN=2051;PW=123456;MN={mn};Flag=7;"
        f"CP=&&DataTime={data_time};{factors}&&"
    )


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


async def store(conn: asyncpg.Connection, info: DeviceInfo, segments: list[str]) -> tuple[int, int]:
    """One writer batch (ingest's own inserts): its transaction id, and how many readings were new."""
    receipts, readings = [], []
    for segment in segments:
        message = parse_message(segment)
        assert message.data_time
        data_time = from_cst(message.data_time)
        receipts.append(receipt_row(info, message, data_time, DAY, "127.0.0.1:40000"))
        readings.extend(reading_rows(info, message, data_time, DAY))
    await PartitionManager().ensure(conn, {cst_day(row.data_time) for row in receipts})
    async with conn.transaction():
        await insert_receipts(conn, receipts)
        new = await insert_readings(conn, readings)
        return int(await conn.fetchval("SELECT pg_current_xact_id()")), new


async def receipt_xid(conn: asyncpg.Connection, mn: str) -> int:
    return int(await conn.fetchval("SELECT xid FROM ingest.receipts_v1 WHERE mn = $1", mn))


async def readings(conn: asyncpg.Connection, mn: str) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM ingest.readings_v1 WHERE mn = $1", mn))


def minute(offset: int) -> str:
    return (DAY + timedelta(minutes=offset)).strftime("%Y%m%d%H%M%S")


async def test_a_late_second_part_moves_the_receipt_to_its_batch_with_all_six_readings(
    conn: asyncpg.Connection,
) -> None:
    meter = stored_device(new_mn())
    first, _ = await store(conn, meter, [part(meter.mn, minute(0), 1, FIRST_PART)])
    assert (await receipt_xid(conn, meter.mn), await readings(conn, meter.mn)) == (first, 4)

    late, new = await store(conn, meter, [part(meter.mn, minute(0), 2, SECOND_PART)])
    assert new == 2 and late > first
    assert (await receipt_xid(conn, meter.mn), await readings(conn, meter.mn)) == (late, 6)
    # still one receipt, counted once in the day's rollup
    assert await conn.fetchval("SELECT count(*) FROM ingest.receipts_v1 WHERE mn = $1", meter.mn) == 1
    assert await conn.fetchval("SELECT received FROM ingest.receipts_daily WHERE mn = $1", meter.mn) == 1


async def test_the_same_packet_resent_leaves_the_receipt_where_it_was(conn: asyncpg.Connection) -> None:
    meter = stored_device(new_mn())
    first, _ = await store(conn, meter, [part(meter.mn, minute(5), 1, FIRST_PART)])
    late, _ = await store(conn, meter, [part(meter.mn, minute(5), 2, SECOND_PART)])

    for segment in (part(meter.mn, minute(5), 2, SECOND_PART), part(meter.mn, minute(5), 1, FIRST_PART)):
        _, new = await store(conn, meter, [segment])
        assert new == 0
        assert (await receipt_xid(conn, meter.mn), await readings(conn, meter.mn)) == (late, 6)


async def test_both_parts_in_one_batch_and_a_whole_day_resend_move_nothing(conn: asyncpg.Connection) -> None:
    meter = stored_device(new_mn())
    day = [
        segment
        for i in range(3)
        for segment in (
            part(meter.mn, minute(10 + 5 * i), 1, FIRST_PART),
            part(meter.mn, minute(10 + 5 * i), 2, SECOND_PART),
        )
    ]
    stored, new = await store(conn, meter, day)
    assert new == 18
    _, again = await store(conn, meter, day)  # the terminal resends the day
    assert again == 0
    xids = await conn.fetch("SELECT xid FROM ingest.receipts_v1 WHERE mn = $1", meter.mn)
    assert [int(row["xid"]) for row in xids] == [stored] * 3


async def test_a_late_part_moves_only_its_own_receipt(conn: asyncpg.Connection) -> None:
    meter, other = stored_device(new_mn()), stored_device(new_mn())
    first, _ = await store(conn, meter, [part(meter.mn, minute(30), 1, FIRST_PART)])
    second, _ = await store(conn, meter, [part(meter.mn, minute(35), 1, FIRST_PART)])
    late, _ = await store(conn, meter, [part(meter.mn, minute(30), 2, SECOND_PART)])
    rows = await conn.fetch("SELECT data_time, xid FROM ingest.receipts_v1 WHERE mn = $1 ORDER BY data_time", meter.mn)
    assert [int(row["xid"]) for row in rows] == [late, second]
    assert first < second < late
    # another terminal's batch in between moved nothing of this one
    await store(conn, other, [part(other.mn, minute(30), 1, FIRST_PART)])
    assert await receipt_xid(conn, other.mn) > late


async def test_a_late_part_of_a_receipt_stored_before_the_commit_order_gives_it_a_transaction_id(
    conn: asyncpg.Connection,
) -> None:
    meter = stored_device(new_mn())
    await store(conn, meter, [part(meter.mn, minute(40), 1, FIRST_PART)])
    await conn.execute("UPDATE ingest.receipts SET xid = NULL WHERE mn = $1", meter.mn)  # as before ingest_0005
    late, _ = await store(conn, meter, [part(meter.mn, minute(40), 2, SECOND_PART)])
    assert (await receipt_xid(conn, meter.mn), await readings(conn, meter.mn)) == (late, 6)


async def test_the_contract_says_a_receipt_moves_when_readings_are_added(conn: asyncpg.Connection) -> None:
    comment = await conn.fetchval("SELECT obj_description('ingest.receipts_v1'::regclass, 'pg_class')")
    assert "last transaction that stored the receipt or added readings to it" in comment
