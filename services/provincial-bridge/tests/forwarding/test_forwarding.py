"""Data upload: what ingest stored reaches the upstream as HJ 212, each packet answered by a 9014, over a real
socket, from a cursor in PostgreSQL — once each while the upstream answers, all of it in order after an outage,
and from where it stood after a restart. (Several upstreams and the commit order: test_upstreams.py,
test_commit_order.py.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from fbjd_core.auth import Role
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import BridgeFactory

    from .conftest import Clock, ForwarderFactory, Ingest, Stored, Upstream

from .conftest import forward_until, new_mn

MINUTE = {"d20501": {"Min": "12.5", "Avg": "13.25", "Max": "14", "Cou": "1.1", "Flag": "N"}}


async def some_uploads(ingest: Ingest, clock: Clock, count: int, *, after: timedelta = timedelta(0)) -> list[Stored]:
    """`count` minute uploads of two terminals, received one millisecond apart from `after` into the test's day."""
    mns = [new_mn(), new_mn()]
    stored = []
    for i in range(count):
        data_time = (clock.start + after + timedelta(minutes=5 * i)).strftime("%Y%m%d%H%M%S")
        stored.append(
            await ingest.upload(
                mns[i % 2],
                "2051",
                data_time,
                {"d20501": {"Avg": f"{i}.5", "Flag": "N"}},
                received_at=clock.start + after + timedelta(milliseconds=i),
            )
        )
    return stored


async def test_every_upload_is_forwarded_once_with_its_cn_datatime_and_factors(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter, other = new_mn(), new_mn()
    at = clock.start
    realtime = {"d20401": {"Rtd": "0.24", "Flag": "N"}, "d20101": {"Rtd": "220.2", "Flag": "N"}}
    hourly = {"i33201": {"Cou": "1520.5", "Flag": "N"}}
    wide = {f"d2{p:02d}{d:02d}": {"Rtd": f"{220 + d}.25", "Flag": "N"} for p in range(1, 10) for d in range(1, 8)}
    uploads = [
        await ingest.upload(meter, "2051", "20900101080000", MINUTE, received_at=at + timedelta(seconds=1)),
        await ingest.upload(meter, "2011", "20900101080130", realtime, received_at=at + timedelta(seconds=2)),
        await ingest.upload(other, "2061", "20900101070000", hourly, received_at=at + timedelta(seconds=2)),
        await ingest.upload(other, "2031", "20891231000000", hourly, received_at=at + timedelta(seconds=3)),
        await ingest.upload(other, "2011", "20900101080200", wide, received_at=at + timedelta(seconds=4)),
    ]
    # A run-state upload (2021) is stored too, and is not data the upstream reviews: it is not forwarded.
    await ingest.upload(meter, "2021", "20900101080130", {"SB1": {"RS": "1"}}, received_at=at + timedelta(seconds=2))

    forwarder = make_forwarder()
    assert await forwarder.forward_until_idle() == 5

    # In commit order: each upload is its own writer batch here, so the order they were stored in (meter and
    # other share a received_at: that decides nothing).
    expected = uploads
    arrived = [m for _connection, m in upstream.received]
    assert len(arrived) == 7  # the 63-factor upload went as 3 packets
    wide_parts = [m for m in arrived if m.cn == "2011" and m.mn == other]
    assert [(m.flag, m.pnum, m.pno) for m in wide_parts] == [(7, 3, 1), (7, 3, 2), (7, 3, 3)]
    whole = {}
    for message in arrived:
        key = (message.mn, message.cn, message.cp.params["DataTime"])
        whole.setdefault(key, {}).update(message.cp.factors)
    assert list(whole) == [u.key for u in expected]  # once each, in order
    assert whole == {u.key: u.factors for u in expected}  # every factor, every value as the terminal sent it
    assert all(m.pw == "123456" and m.st == "44" and m.flag in (5, 7) for m in arrived)
    assert len({(m.mn, m.qn) for m in arrived}) == 7  # a fresh QN per packet

    assert await forwarder.forward_until_idle() == 0  # nothing twice
    assert len(upstream.received) == 7 and upstream.connections == 1


async def test_the_city_sees_the_upstream_the_link_and_the_backlog(
    ingest: Ingest,
    upstream: Upstream,
    make_forwarder: ForwarderFactory,
    clock: Clock,
    bridge_factory: BridgeFactory,
) -> None:
    forwarder = make_forwarder()
    async with bridge_factory(upstream_hj212=upstream.address, upstream_from=clock.start) as bridge:
        city = bridge.api(Role.CITY)

        async def status() -> dict[str, Any]:
            (only,) = (await city.get("/forwarding")).json()["upstreams"]
            return cast(dict[str, Any], only)

        before = await status()
        assert before["name"] == before["address"] == upstream.address  # a bare host:port is named after itself
        assert before["running"] is False and before["county"] is None  # driven by the test here
        assert before["cursor"] is None and before["backlog"] is None  # not started yet

        await some_uploads(ingest, clock, 4)
        await forwarder.forward_until_idle()
        after = await status()
        assert after["connected"] is True and after["connected_since"] is not None
        assert after["forwarded"] == 4 and after["backlog"] == 0 and after["last_ack_at"] is not None
        assert after["last_error"] is None and after["consecutive_failures"] == 0

        await upstream.down()
        waiting = await some_uploads(ingest, clock, 3, after=timedelta(minutes=1))
        assert await forwarder.forward_until_idle() == 0
        down = await status()
        assert down["connected"] is False and down["consecutive_failures"] == 1
        assert down["backlog"] == 3 and down["oldest_waiting_at"] is not None
        assert down["last_error"] and down["next_attempt_at"] is not None
        assert down["forwarded"] == 4 and down["cursor"]["data_time"] is not None
        assert (await bridge.api(Role.COUNTY, county="130902").get("/forwarding")).status_code == 403
        assert (await bridge.api(Role.ENTERPRISE, enterprise_id="0" * 32).get("/forwarding")).status_code == 403
        assert len(waiting) == 3


async def test_without_an_upstream_nothing_is_forwarded_and_the_status_says_so(bridge_factory: BridgeFactory) -> None:
    async with bridge_factory(sender_enabled=True) as bridge:
        status = (await bridge.api(Role.ADMIN).get("/forwarding")).json()
    assert status == {"upstreams": []}


async def test_an_outage_of_the_upstream_loses_nothing_and_ends_in_order(
    ingest: Ingest,
    upstream: Upstream,
    make_forwarder: ForwarderFactory,
    clock: Clock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    forwarder = make_forwarder(upstream_batch_size=5, upstream_window=3, upstream_ack_timeout_seconds=0.3)
    before = await some_uploads(ingest, clock, 4)
    await forwarder.forward_until_idle()
    assert upstream.acknowledged_keys == [u.key for u in before]

    # Down: the connection is dropped and connecting is refused; readings keep coming.
    await upstream.down()
    during = await some_uploads(ingest, clock, 6, after=timedelta(minutes=1))
    assert await forwarder.forward_until_idle() == 0
    # Back but not answering (a center that accepts and hangs): no 9014 within the time-out, nothing moves.
    upstream.answering = False
    await upstream.up()
    await forward_until(forwarder, lambda: len(upstream.received) > 4)
    assert await forwarder.forward_until_idle() == 0
    # Answering two packets, then hanging again: the cursor moves over those two only.
    more = await some_uploads(ingest, clock, 5, after=timedelta(minutes=2))
    upstream.answering, upstream.answers_left = True, 2
    await forward_until(forwarder, lambda: upstream.answers_left == 0)
    await asyncio.sleep(0.4)  # past the acknowledgement time-out of the rest
    await forwarder.forward_until_idle()
    async with sessionmaker() as session:
        forwarded = await session.scalar(
            text("SELECT forwarded FROM bridge.forward_cursor WHERE upstream = :u"), {"u": upstream.address}
        )
    assert forwarded == len(before) + 2
    # Up for good: everything waiting arrives.
    upstream.answers_left = None
    everything = before + during + more
    await forward_until(forwarder, lambda: len(set(upstream.acknowledged_keys)) == len(everything))

    acknowledged = upstream.acknowledged_keys
    assert acknowledged == [u.key for u in everything]  # each answered once, in received_at order
    assert set(upstream.keys([m for _c, m in upstream.received])) == set(acknowledged)  # nothing else sent
    assert upstream.connections >= 3  # the link was re-established after each failure


async def test_a_restarted_forwarder_resumes_from_its_cursor(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    uploads = await some_uploads(ingest, clock, 10)
    first = make_forwarder(upstream_batch_size=4)
    assert await first.forward_once() == 4
    assert await first.forward_once() == 4
    await first.aclose()  # the process stops

    second = make_forwarder(upstream_batch_size=4)
    assert await second.forward_until_idle() == 2
    by_connection = [(c, (m.mn, m.cn, m.cp.params["DataTime"])) for c, m in upstream.received]
    assert by_connection == [(1, u.key) for u in uploads[:8]] + [(2, u.key) for u in uploads[8:]]


async def test_a_forwarder_killed_while_waiting_for_answers_resends_the_tail_and_skips_nothing(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    uploads = await some_uploads(ingest, clock, 6)
    upstream.answers_left = 2  # answers two, then hangs: the forwarder waits for the third answer
    first = make_forwarder(upstream_ack_timeout_seconds=30)
    round_ = asyncio.create_task(first.forward_once())
    while len(upstream.received) < 6:
        await asyncio.sleep(0.01)
    round_.cancel()  # killed between sending and recording: the cursor has not moved
    await asyncio.gather(round_, return_exceptions=True)
    await first.aclose()

    upstream.answers_left = None
    second = make_forwarder()
    assert await second.forward_until_idle() == 6
    from_second = [(m.mn, m.cn, m.cp.params["DataTime"]) for c, m in upstream.received if c == 2]
    assert from_second == [u.key for u in uploads]  # from the cursor: the answered two again, then the rest
    assert set(upstream.acknowledged_keys) == {u.key for u in uploads}
    assert await second.forward_until_idle() == 0


async def test_the_lifespan_starts_the_forwarder_when_an_upstream_is_named(
    ingest: Ingest, upstream: Upstream, clock: Clock, bridge_factory: BridgeFactory
) -> None:
    uploads = await some_uploads(ingest, clock, 3)
    async with bridge_factory(
        upstream_hj212=upstream.address,
        upstream_from=clock.start,
        upstream_poll_seconds=0.05,
        sender_enabled=True,
    ) as bridge:
        city = bridge.api(Role.CITY)
        for _ in range(200):
            if len(upstream.acknowledged) == 3:
                break
            await asyncio.sleep(0.02)
        (status,) = (await city.get("/forwarding")).json()["upstreams"]
    assert upstream.acknowledged_keys == [u.key for u in uploads]
    assert status["running"] is True and status["backlog"] == 0 and status["forwarded"] == 3
