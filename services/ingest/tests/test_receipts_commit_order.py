"""receipts_v1 in commit order (ingest_0005): every receipt carries the transaction that stored it, so a reader
that stays below the commit boundary never sees an older receipt appear behind it; and the device's county,
for a county platform that gets its own county's terminals only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import from_cst
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import cst_day, receipt_row
from fbjd_ingest.readings.store import insert_receipts
from hj212 import parse_message

from .conftest import new_mn, stored_device

DAY = datetime(2089, 6, 1, tzinfo=UTC)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        yield connection
    finally:
        await connection.close()


async def store(conn: asyncpg.Connection, mns: list[str], minute: int) -> int:
    """One writer batch of a minute upload per terminal (ingest's own insert); the batch's transaction id."""
    data_time = (DAY + timedelta(minutes=minute)).strftime("%Y%m%d%H%M%S")
    rows = []
    for mn in mns:
        message = parse_message(
            f"QN={data_time}000;ST=44;CN=2051;PW=123456;MN={mn};Flag=5;CP=&&DataTime={data_time};d20501-Avg=1&&"
        )
        assert message.data_time
        rows.append(receipt_row(stored_device(mn), message, from_cst(message.data_time), DAY, "127.0.0.1:40000"))
    await PartitionManager().ensure(conn, {cst_day(row.data_time) for row in rows})
    async with conn.transaction():
        await insert_receipts(conn, rows)
        return int(await conn.fetchval("SELECT pg_current_xact_id()"))


async def test_each_receipt_carries_the_transaction_that_stored_it_in_receipts_v1(conn: asyncpg.Connection) -> None:
    meter, other = new_mn(), new_mn()
    first = await store(conn, [meter, other], 0)
    second = await store(conn, [meter], 5)
    assert second > first
    rows = await conn.fetch(
        "SELECT mn, xid, county FROM ingest.receipts_v1 WHERE mn = ANY($1::text[]) ORDER BY xid, mn",
        [meter, other],
    )
    assert [(r["mn"], r["xid"]) for r in rows] == sorted([(meter, first), (other, first)], key=lambda r: r[0]) + [
        (meter, second)
    ]
    assert {r["county"] for r in rows} == {None}  # terminals ingest does not know


async def test_receipts_v1_carries_the_devices_county(conn: asyncpg.Connection) -> None:
    meter = new_mn()
    info = stored_device(meter)
    await conn.execute(
        """
        INSERT INTO ingest.devices (id, mn, password, ps_id, county, name, profile, rtd_interval_s, min_interval_s,
                                    created_at, updated_at)
        VALUES ($1, $2, '123456', $3, '130921', 'meter', $4, 60, 300, now(), now())
        """,
        uuid.uuid4(),
        meter,
        info.ps_id,
        info.profile,
    )
    await store(conn, [meter], 10)
    assert await conn.fetchval("SELECT county FROM ingest.receipts_v1 WHERE mn = $1", meter) == "130921"


async def test_an_open_batch_holds_the_commit_boundary_below_its_receipts(
    conn: asyncpg.Connection, database_url: str
) -> None:
    slow = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        transaction = slow.transaction()
        await transaction.start()
        mn = new_mn()
        data_time = (DAY + timedelta(minutes=15)).strftime("%Y%m%d%H%M%S")
        message = parse_message(
            f"QN={data_time}000;ST=44;CN=2051;PW=123456;MN={mn};Flag=5;CP=&&DataTime={data_time};d20501-Avg=1&&"
        )
        assert message.data_time
        await PartitionManager().ensure(conn, {cst_day(from_cst(message.data_time))})
        await insert_receipts(slow, [receipt_row(stored_device(mn), message, from_cst(message.data_time), DAY, "peer")])
        xid = int(await slow.fetchval("SELECT pg_current_xact_id()"))
        assert await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())") <= xid
        await transaction.commit()
    finally:
        await slow.close()
    assert await conn.fetchval("SELECT xid FROM ingest.receipts_v1 WHERE mn = $1", mn) == xid
