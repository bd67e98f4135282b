"""Never a receipt skipped: the forwarder walks ingest's receipts in commit order (the transaction that stored
each one) and reads only below the commit boundary, so a writer batch that commits late — whatever its
received_at — is forwarded when it commits, once; and a cursor left by the received_at forwarder goes on where
it stood."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from .conftest import Clock, ForwarderFactory, Ingest, Upstream

from .conftest import forward_until, new_mn

MINUTE = {"d20501": {"Avg": "13.25", "Flag": "N"}}


def data_time(clock: Clock, minutes: int) -> str:
    return (clock.start + timedelta(minutes=minutes)).strftime("%Y%m%d%H%M%S")


async def test_a_batch_that_commits_late_is_forwarded_when_it_commits_exactly_once(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter, late_meter = new_mn(), new_mn()
    at = clock.start
    first = await ingest.upload(meter, "2051", data_time(clock, 0), MINUTE, received_at=at + timedelta(seconds=1))
    forwarder = make_forwarder()
    assert await forwarder.forward_until_idle() == 1

    # Writer batch F has its transaction id first; then batch S (slow) stores a receipt received at 09:00:10 and
    # stays open; F stores one received at 09:00:20 and commits.
    fast, slow = await ingest.batch(), await ingest.batch()
    try:
        await fast.xid()
        late = await slow.store(late_meter, "2051", data_time(clock, 5), MINUTE, received_at=at + timedelta(seconds=10))
        later = await fast.store(meter, "2051", data_time(clock, 5), MINUTE, received_at=at + timedelta(seconds=20))
        await fast.commit()
        await ingest.settled(await slow.xid() - 1)

        # F is forwarded while S is still open: its receipt, received after S's, goes first.
        await forward_until(forwarder, lambda: len(upstream.acknowledged) == 2)
        # Batch G commits after S opened: it waits behind S (a received_at cursor would have moved past 09:00:10
        # by now and never read S's receipt).
        latest = await ingest.upload(
            meter, "2051", data_time(clock, 10), MINUTE, received_at=at + timedelta(seconds=30), settle=False
        )
        assert await forwarder.forward_until_idle() == 0
        assert upstream.acknowledged_keys == [first.key, later.key]

        await slow.commit()  # S commits 20 s and more after its receipt was received
    finally:
        await fast.close()
        await slow.close()

    await forward_until(forwarder, lambda: len(upstream.acknowledged) == 4)
    assert upstream.acknowledged_keys == [first.key, later.key, late.key, latest.key]  # commit order, each once
    assert await forwarder.forward_until_idle() == 0
    assert len(upstream.received) == 4  # nothing sent twice


async def test_a_batch_rolled_back_is_passed_over_and_holds_nothing_back(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter = new_mn()
    at = clock.start
    await ingest.upload(meter, "2051", data_time(clock, 0), MINUTE, received_at=at)
    failed = await ingest.batch()
    await failed.store(new_mn(), "2051", data_time(clock, 5), MINUTE, received_at=at + timedelta(seconds=1))
    await failed.close()  # the writer's batch failed: rolled back
    after = await ingest.upload(meter, "2051", data_time(clock, 5), MINUTE, received_at=at + timedelta(seconds=2))

    forwarder = make_forwarder()
    await forward_until(forwarder, lambda: len(upstream.acknowledged) == 2)
    assert upstream.acknowledged_keys[-1] == after.key and len(upstream.received) == 2


async def test_a_cursor_left_by_the_received_at_forwarder_goes_on_where_it_stood(
    ingest: Ingest,
    upstream: Upstream,
    make_forwarder: ForwarderFactory,
    clock: Clock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    meter = new_mn()
    at = clock.start
    before = [
        await ingest.upload(meter, "2051", data_time(clock, 5 * i), MINUTE, received_at=at + timedelta(seconds=i))
        for i in range(4)
    ]
    async with sessionmaker.begin() as session:
        # Stored before ingest_0005 (no transaction id), and a cursor row as bridge_0004 left it: after the second
        # (received_from only keeps the other tests' receipts out of the way).
        await session.execute(text("UPDATE ingest.receipts SET xid = NULL WHERE mn = :mn"), {"mn": meter})
        await session.execute(
            text(
                """
                INSERT INTO bridge.forward_cursor (upstream, received_at, mn, cn, data_time, forwarded, skipped,
                                                   consecutive_failures, received_from)
                SELECT :upstream, received_at, mn, cn, data_time, 2, 0, 0, :floor
                FROM ingest.receipts WHERE mn = :mn AND received_at = :received_at
                """
            ),
            {"upstream": upstream.address, "mn": meter, "received_at": before[1].received_at, "floor": at},
        )
    after = await ingest.upload(meter, "2051", data_time(clock, 20), MINUTE, received_at=at + timedelta(seconds=5))

    forwarder = make_forwarder(upstream_from=None)  # the row exists: FBJD_UPSTREAM_FROM plays no part
    await forward_until(forwarder, lambda: len(upstream.acknowledged) == 3)
    assert upstream.acknowledged_keys == [before[2].key, before[3].key, after.key]
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text("SELECT xid, forwarded FROM bridge.forward_cursor WHERE upstream = :u"), {"u": upstream.address}
            )
        ).one()
    assert row.xid is not None and row.forwarded == 5  # in commit order from now on
