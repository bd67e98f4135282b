"""Fixtures of the forwarding tests: readings stored by ingest's own write path, a real TCP upstream, a clock.

* `ingest` stores terminal packets exactly as ingest does (its row builders, day partitions and COPY
  statements on the real database with ingest's migrations applied), so the forwarder reads what ingest wrote.
* `upstream` is a small HJ 212 center on a real socket: it decodes every packet with libs/hj212 and answers
  9014 — or falls silent, or stops listening, as a test switches it.
* Every test lives on its own day of the 2090s (`clock`): the forwarder's cursor starts there
  (FBJD_UPSTREAM_FROM), so receipts other tests wrote in this database are never in its way; the clock moves
  with real time from an hour later.
* `ingest.batch()` keeps an ingest transaction open (a slow writer batch) while the test goes on.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from fbjd_bridge.forwarding.forwarder import Forwarder
from fbjd_bridge.forwarding.targets import parse_upstreams
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import fixed_clock, from_cst
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import cst_day, reading_rows, receipt_row
from fbjd_ingest.readings.store import insert_readings, insert_receipts
from hj212 import Frame, FrameDecoder, Message, data_ack, encode, parse_message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_DAYS = itertools.count()


@dataclass
class Clock:
    """Real time, moved to this test's own day of the 2090s: it reads `start` + 1 h and goes on from there, so
    whatever a test stores as received in the hour after `start` is already in the past."""

    start: datetime

    def __call__(self) -> datetime:
        return self.start + timedelta(hours=1, seconds=time.monotonic() - self._t0)

    def __post_init__(self) -> None:
        self._t0 = time.monotonic()


@pytest.fixture
def clock() -> Iterator[Clock]:
    day = datetime(2090, 1, 1, tzinfo=UTC) + timedelta(days=next(_DAYS))  # the database is this session's own
    moving = Clock(day)
    with fixed_clock(moving):
        yield moving


# -- ingest's side ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    """One upload as ingest stored it, and what identifies it upstream."""

    mn: str
    cn: str
    data_time: str  # the DataTime text the terminal sent
    factors: dict[str, dict[str, str]]  # as the terminal sent them
    received_at: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.mn, self.cn, self.data_time)


def terminal_packet(mn: str, cn: str, data_time: str, factors: dict[str, dict[str, str]], *, st: str = "44") -> str:
    """A data segment as a terminal writes it."""
    groups = ";".join(
        ",".join(f"{code}-{name}={value}" for name, value in fields.items()) for code, fields in factors.items()
    )
    return f"QN={data_time}000;ST={st};CN={cn};PW=123456;MN={mn};Flag=5;CP=&&DataTime={data_time};{groups}&&"


def new_mn() -> str:
    return uuid.uuid4().hex[:24].upper()


class Ingest:
    """Stores uploads with ingest's own write path (rows.py, partitions.py, store.py)."""

    def __init__(self, conn: asyncpg.Connection, database_url: str) -> None:
        self._conn = conn
        self._database_url = database_url
        self._partitions = PartitionManager()
        self.devices: dict[str, DeviceInfo] = {}

    def device(self, mn: str) -> DeviceInfo:
        if mn not in self.devices:
            self.devices[mn] = DeviceInfo(
                mn=mn,
                password="123456",
                ps_id=uuid.uuid4().hex,
                county=None,
                profile="hj212-2025-electric",
                factor_map={},
                rtd_interval_s=60,
                min_interval_s=300,
                data_cn="2051",
            )
        return self.devices[mn]

    async def register(self, mn: str, *, county: str) -> None:
        """The terminal in ingest's device table, in `county` (where receipts_v1 finds a receipt's county)."""
        device = self.device(mn)
        await self._conn.execute(
            """
            INSERT INTO ingest.devices (id, mn, password, ps_id, county, name, profile, rtd_interval_s,
                                        min_interval_s, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $2, $6, 60, 300, now(), now())
            """,
            uuid.uuid4(),
            mn,
            device.password,
            device.ps_id,
            county,
            device.profile,
        )

    async def upload(
        self,
        mn: str,
        cn: str,
        data_time: str,
        factors: dict[str, dict[str, str]],
        *,
        received_at: datetime,
        settle: bool = True,
    ) -> Stored:
        await self.segments([(terminal_packet(mn, cn, data_time, factors), received_at)], settle=settle)
        return Stored(mn, cn, data_time, factors, received_at)

    async def segments(self, segments: list[tuple[str, datetime]], *, settle: bool = True) -> None:
        """Store parsed data segments, each received at its time, in one transaction (as one writer batch); then,
        with `settle`, wait until the commit boundary has passed it: transaction ids are the whole server's, and
        another suite's transaction still open on this server holds the boundary back for a moment."""
        await self.partitions(segments)
        async with self._conn.transaction():
            await self.insert(self._conn, segments)
            xid = await self._conn.fetchval("SELECT pg_current_xact_id()")
        if settle:
            await self.settled(xid)

    async def settled(self, xid: int, *, timeout: float = 10.0) -> None:
        """Until every transaction up to `xid` has ended (the forwarder reads below that boundary)."""
        deadline = time.monotonic() + timeout
        while await self._conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())") <= xid:
            assert time.monotonic() < deadline, f"a transaction below {xid} stayed open for {timeout} s"
            await asyncio.sleep(0.01)

    async def batch(self) -> Batch:
        """A writer batch on a connection of its own that stays open until the test commits it."""
        conn = await asyncpg.connect(asyncpg_dsn(self._database_url))
        transaction = conn.transaction()
        await transaction.start()
        return Batch(self, conn, transaction)

    @staticmethod
    def _days(segments: list[tuple[str, datetime]]) -> set[Any]:
        days = set()
        for segment, _received_at in segments:
            message = parse_message(segment)
            assert message.data_time
            days.add(cst_day(from_cst(message.data_time)))
        return days

    async def partitions(self, segments: list[tuple[str, datetime]]) -> None:
        await self._partitions.ensure(self._conn, self._days(segments))

    async def insert(self, conn: asyncpg.Connection, segments: list[tuple[str, datetime]]) -> None:
        """Ingest's two inserts (receipts, readings) in the caller's transaction."""
        receipts, readings = [], []
        for segment, received_at in segments:
            message = parse_message(segment)
            assert message.mn and message.data_time
            device = self.device(message.mn)
            data_time = from_cst(message.data_time)
            receipts.append(receipt_row(device, message, data_time, received_at, "127.0.0.1:40000"))
            readings.extend(reading_rows(device, message, data_time, received_at))
        await insert_receipts(conn, receipts)
        await insert_readings(conn, readings)


@dataclass
class Batch:
    """An ingest writer batch kept open (a slow batch): it stores uploads, and they appear when it commits."""

    ingest: Ingest
    conn: asyncpg.Connection
    transaction: Any

    async def xid(self) -> int:
        """The batch's transaction id (taken now if it has none yet: ids are handed out in this order)."""
        return int(await self.conn.fetchval("SELECT pg_current_xact_id()"))

    async def store(
        self, mn: str, cn: str, data_time: str, factors: dict[str, dict[str, str]], *, received_at: datetime
    ) -> Stored:
        segments = [(terminal_packet(mn, cn, data_time, factors), received_at)]
        await self.ingest.partitions(segments)  # the day's partition, outside the batch (DDL)
        await self.ingest.insert(self.conn, segments)
        return Stored(mn, cn, data_time, factors, received_at)

    async def commit(self) -> None:
        await self.transaction.commit()
        await self.conn.close()

    async def close(self) -> None:
        if not self.conn.is_closed():
            await self.transaction.rollback()
            await self.conn.close()


@pytest.fixture
async def ingest(database_url: str) -> AsyncIterator[Ingest]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        yield Ingest(conn, database_url)
    finally:
        await conn.close()


# -- the upstream ---------------------------------------------------------------------------------------------
@dataclass
class Upstream:
    """An HJ 212 center on 127.0.0.1: decodes what arrives, answers 9014 while `answering` (for `answers_left`
    more packets when that is set), and can stop listening altogether (`down`) and come back (`up`)."""

    port: int = 0
    answering: bool = True
    answers_left: int | None = None
    received: list[tuple[int, Message]] = field(default_factory=list)  # (connection number, packet)
    acknowledged: list[Message] = field(default_factory=list)
    connections: int = 0
    _server: asyncio.AbstractServer | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        """Stop listening and drop every connection: connecting is refused until `up`."""
        if self._server is not None:
            self._server.close()
            for writer in self._writers:
                writer.close()
            await self._server.wait_closed()
            self._server = None
        self._writers.clear()

    def keys(self, messages: list[Message]) -> list[tuple[str, str, str]]:
        return [(m.mn or "", m.cn or "", m.cp.params["DataTime"]) for m in messages]

    @property
    def acknowledged_keys(self) -> list[tuple[str, str, str]]:
        return self.keys(self.acknowledged)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self._writers.append(writer)
        decoder = FrameDecoder()
        try:
            while chunk := await reader.read(65536):
                decoder.feed(chunk)
                for event in decoder.events():
                    assert isinstance(event, Frame), f"the forwarder sent a bad frame: {event}"
                    self._received(number, parse_message(event.segment), writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    def _received(self, number: int, message: Message, writer: asyncio.StreamWriter) -> None:
        self.received.append((number, message))
        if not self.answering or self.answers_left == 0:
            return
        if self.answers_left is not None:
            self.answers_left -= 1
        writer.write(encode(data_ack(message)))
        self.acknowledged.append(message)


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    center = Upstream()
    await center.up()
    try:
        yield center
    finally:
        await center.down()


@pytest.fixture
async def county_platform() -> AsyncIterator[Upstream]:
    """A second upstream: a county platform connected to the city."""
    center = Upstream()
    await center.up()
    try:
        yield center
    finally:
        await center.down()


# -- the forwarder --------------------------------------------------------------------------------------------
ForwarderFactory = Callable[..., Forwarder]


@pytest.fixture
async def make_forwarder(
    settings_factory: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    upstream: Upstream,
    clock: Clock,
) -> AsyncIterator[ForwarderFactory]:
    """make_forwarder(**settings): a forwarder to `upstream` from this test's day, driven by the test;
    `name=` picks another upstream of an `upstream_hj212` list (its first by default)."""
    made: list[Forwarder] = []

    def factory(*, name: str | None = None, **overrides: Any) -> Forwarder:
        values: dict[str, Any] = {
            "upstream_hj212": upstream.address,
            "upstream_from": clock.start,
            "upstream_ack_timeout_seconds": 0.5,
            "upstream_connect_timeout_seconds": 2,
            "backoff_base_seconds": 0.02,
            "backoff_max_seconds": 0.1,
        }
        values.update(overrides)
        settings = settings_factory(**values)
        targets = parse_upstreams(settings.upstream_hj212, settings.upstream_counties)
        target = next(t for t in targets if name is None or t.name == name)
        forwarder = Forwarder(sessionmaker, settings, target, rng=random.Random(7))
        made.append(forwarder)
        return forwarder

    yield factory
    for forwarder in made:
        await forwarder.aclose()


async def forward_until(forwarder: Forwarder, done: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Run rounds (as the background task would, back-off included) until `done` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not done in time"
        await forwarder.forward_until_idle()
        await asyncio.sleep(0.01)
