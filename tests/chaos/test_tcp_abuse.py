"""Slow-loris and oversized-packet connections against the real ingest TCP server do not stall other terminals.

The ingest app runs as its services/ingest tests boot it (real HTTP, real HJ 212 listener, real PostgreSQL).  While
50 connections trickle one byte per second and 5 connections push 10 MB each without a frame end, 20 well-behaved
terminals upload and every one of their packets is acknowledged (9014) in time and stored.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.time import now, to_cst
from fbjd_ingest.app import create_app
from fbjd_ingest.config import Settings
from fbjd_testing.plugin import serve
from hj212 import CP, MAX_FRAME, Frame, FrameDecoder, Message, encode, format_time, parse_message
from pydantic import SecretStr

pytestmark = pytest.mark.slow

PW = "123456"
SLOW_LORIS = 50
FLOODERS = 5
FLOOD_BYTES = 10 * 1024 * 1024
GOOD_TERMINALS = 20
UPLOADS_EACH = 5
ACK_WITHIN_S = 5.0  # per packet, on a shared 2-core machine with 55 abusive connections open
IDLE_TIMEOUT_S = 4.0


@dataclass
class Ingest:
    app: Any
    http: httpx.AsyncClient
    tcp_port: int
    headers: dict[str, str]

    async def register(self) -> str:
        mn = uuid.uuid4().hex[:24].upper()
        body = {"mn": mn, "password": PW, "ps_id": uuid.uuid4().hex, "name": "1号窑生产线电表"}
        reply = await self.http.post("/api/ingest/devices", json=body, headers=self.headers)
        assert reply.status_code == 201, reply.text
        return mn

    async def stats(self) -> dict[str, Any]:
        reply = await self.http.get("/api/ingest/stats", headers=self.headers)
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result


@pytest.fixture(scope="module")
async def ingest(database_url: str, jwt_secret: str, make_token: Callable[..., str]) -> AsyncIterator[Ingest]:
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(jwt_secret),
        hj212_host="127.0.0.1",
        hj212_port=0,
        idle_timeout_s=IDLE_TIMEOUT_S,
        setup_on_connect=False,
        gap_fill=False,
        notify_rules=False,
    )
    app = create_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        token = make_token(Role.CITY)
        yield Ingest(app, client, app.state.runtime.server.port, {"Authorization": f"Bearer {token}"})


@dataclass
class GoodTerminal:
    """Uploads 2051 minute data with Flag=5 (answer wanted) and times each 9014."""

    mn: str
    port: int
    latencies: list[float] = field(default_factory=list)
    _sent: dict[str, float] = field(default_factory=dict)
    _acked: dict[str, asyncio.Event] = field(default_factory=dict)

    async def run(self, uploads: int, spacing_s: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        listener = asyncio.create_task(self._listen(reader))
        base = to_cst(now()).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=2)
        try:
            for i in range(uploads):
                qn = format_time(base + timedelta(milliseconds=i + 1), milliseconds=True)
                data_time = format_time(base + timedelta(minutes=i))
                msg = Message(
                    qn=qn,
                    st="32",
                    cn="2051",
                    pw=PW,
                    mn=self.mn,
                    flag=5,
                    cp=CP({"DataTime": data_time}, {"d20501": {"Avg": f"{100 + i}.5", "Flag": "N"}}),
                )
                self._acked[qn] = asyncio.Event()
                self._sent[qn] = time.monotonic()
                writer.write(encode(msg))
                await writer.drain()
                await asyncio.wait_for(self._acked[qn].wait(), ACK_WITHIN_S)
                await asyncio.sleep(spacing_s)
        finally:
            writer.close()
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _listen(self, reader: asyncio.StreamReader) -> None:
        decoder = FrameDecoder()
        while chunk := await reader.read(65536):
            decoder.feed(chunk)
            for event in decoder.events():
                if isinstance(event, Frame):
                    reply = parse_message(event.segment)
                    if reply.cn == "9014" and reply.qn in self._acked:
                        self.latencies.append(time.monotonic() - self._sent[reply.qn])
                        self._acked[reply.qn].set()


@dataclass
class Abuser:
    """A connection that never completes a packet; records when (and whether) the server closed it."""

    port: int
    closed_by_server_after_s: float | None = None
    sent: int = 0

    async def slow_loris(self, seconds: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        start = time.monotonic()
        payload = b"##0101QN=20260101" + b"0" * 200  # a packet header, then a byte a second, never the end
        try:
            while time.monotonic() - start < seconds:
                writer.write(payload[self.sent % len(payload) : self.sent % len(payload) + 1])
                self.sent += 1
                await writer.drain()
                if await self._closed(reader, 1.0):
                    self.closed_by_server_after_s = time.monotonic() - start
                    return
        except ConnectionError:
            self.closed_by_server_after_s = time.monotonic() - start
        finally:
            writer.close()

    async def flood(self, total: int, junk: bool) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        start = time.monotonic()
        rng = random.Random(self.port)
        block = bytes(b for b in rng.randbytes(70000) if b != 0x23)[:65536] if junk else b"9" * 65536
        try:
            if not junk:
                writer.write(b"##1024")  # one endless packet
            while self.sent < total:
                writer.write(block)
                self.sent += len(block)
                await writer.drain()
            if await self._closed(reader, IDLE_TIMEOUT_S * 2):  # no packet ever: closed as idle
                self.closed_by_server_after_s = time.monotonic() - start
        except ConnectionError:
            self.closed_by_server_after_s = time.monotonic() - start
        finally:
            writer.close()

    @staticmethod
    async def _closed(reader: asyncio.StreamReader, wait: float) -> bool:
        try:
            data = await asyncio.wait_for(reader.read(1024), wait)
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return data == b""


@pytest.fixture(scope="module")
async def abuse_run(ingest: Ingest) -> dict[str, Any]:
    """One run: 50 slow-loris + 5 floods + 20 good terminals at once; what each side saw."""
    mns = [await ingest.register() for _ in range(GOOD_TERMINALS)]
    before = await ingest.stats()
    loris = [Abuser(ingest.tcp_port) for _ in range(SLOW_LORIS)]
    floods = [Abuser(ingest.tcp_port) for _ in range(FLOODERS)]
    good = [GoodTerminal(mn, ingest.tcp_port) for mn in mns]
    abuse = [asyncio.create_task(a.slow_loris(IDLE_TIMEOUT_S * 2.5)) for a in loris]
    abuse += [asyncio.create_task(a.flood(FLOOD_BYTES, junk=i % 2 == 0)) for i, a in enumerate(floods)]
    await asyncio.sleep(1.0)  # the abusers are connected and busy before the good terminals start
    sessions = list(ingest.app.state.runtime.server.sessions)
    outcomes = await asyncio.gather(*(t.run(UPLOADS_EACH, 0.5) for t in good), return_exceptions=True)
    buffered = max((s.decoder.buffered for s in ingest.app.state.runtime.server.sessions), default=0)
    await asyncio.gather(*abuse)
    after = await ingest.stats()
    return {
        "mns": mns,
        "good": good,
        "outcomes": outcomes,
        "loris": loris,
        "floods": floods,
        "sessions_seen": len(sessions),
        "max_buffered": buffered,
        "before": before,
        "after": after,
    }


async def test_every_good_packet_is_acknowledged_in_time_while_55_connections_abuse_the_server(
    abuse_run: dict[str, Any],
) -> None:
    failures = [repr(o) for o in abuse_run["outcomes"] if isinstance(o, BaseException)]
    assert not failures, failures
    latencies = sorted(x for t in abuse_run["good"] for x in t.latencies)
    assert len(latencies) == GOOD_TERMINALS * UPLOADS_EACH
    assert latencies[-1] < ACK_WITHIN_S, f"slowest 9014 after {latencies[-1]:.2f} s"
    assert abuse_run["sessions_seen"] >= SLOW_LORIS + FLOODERS, "the abusers were connected during the run"


async def test_every_good_packet_is_stored_once(ingest: Ingest, abuse_run: dict[str, Any]) -> None:
    for mn in abuse_run["mns"]:
        reply = await ingest.http.get(f"/api/ingest/devices/{mn}/data", params={"cn": "2051"}, headers=ingest.headers)
        assert reply.status_code == 200, reply.text
        assert len(reply.json()["items"]) == UPLOADS_EACH


async def test_the_floods_were_read_to_the_end_with_the_decoder_holding_at_most_one_packet(
    abuse_run: dict[str, Any],
) -> None:
    def read_on(f: Any) -> bool:
        """All of it read, or read until the idle rule closed the connection (never stalled before)."""
        closed = f.closed_by_server_after_s
        return f.sent >= FLOOD_BYTES or (closed is not None and closed >= IDLE_TIMEOUT_S * 0.9)

    assert all(read_on(f) for f in abuse_run["floods"]), "the server kept reading (no stall)"
    assert abuse_run["max_buffered"] < MAX_FRAME
    before = abuse_run["before"]["bad_frames"]["by_type"]
    after = abuse_run["after"]["bad_frames"]["by_type"]
    assert after.get("Oversize", 0) - before.get("Oversize", 0) >= FLOODERS


async def test_slow_loris_connections_are_closed_by_the_server(abuse_run: dict[str, Any]) -> None:
    closed = [a.closed_by_server_after_s for a in abuse_run["loris"]]
    assert all(c is not None and c < IDLE_TIMEOUT_S * 2 for c in closed), closed


async def test_a_connection_sending_megabytes_without_a_packet_is_closed_by_the_server(
    abuse_run: dict[str, Any],
) -> None:
    assert all(f.closed_by_server_after_s is not None for f in abuse_run["floods"])
