"""Operations: the server as production runs it (uvloop), several ingest processes, back-pressure, odd uploads,
and counters that survive a restart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import uvloop
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import now
from fbjd_ingest.app import create_app
from fbjd_ingest.config import Settings
from fbjd_ingest.runtime import IngestRuntime
from fbjd_testing.plugin import serve

from .conftest import IngestUnderTest, Terminal, cst, ingest_settings, minute_floor, new_mn

POWER = {"d20501": {"Rtd": "132.5", "Flag": "N"}}


@asynccontextmanager
async def runtime_on_uvloop(settings: Settings) -> AsyncIterator[IngestRuntime]:
    """The ingest runtime on a uvloop event loop in its own thread, as `uvicorn --loop uvloop` runs it."""
    started = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        box["stop"] = asyncio.Event()
        box["loop"] = asyncio.get_running_loop()
        box["runtime"] = await IngestRuntime.start(settings)
        started.set()
        await box["stop"].wait()
        await box["runtime"].stop()

    thread = threading.Thread(target=uvloop.run, args=(main(),), daemon=True)
    thread.start()
    assert await asyncio.to_thread(started.wait, 10)
    try:
        yield box["runtime"]
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        await asyncio.to_thread(thread.join, 10)


async def test_the_tcp_server_works_on_uvloop_as_uvicorn_runs_it_in_production(
    ingest: IngestUnderTest,
    jwt_secret: str,
) -> None:
    mn = (await ingest.register())["mn"]
    settings = ingest_settings(ingest.database_url, jwt_secret, setup_on_connect=False)
    async with runtime_on_uvloop(settings) as runtime:
        assert runtime.server is not None and runtime.server.port
        terminal = await Terminal(mn, runtime.server.port).connect()
        qns = [
            await terminal.send("2051", minute_floor(cst(now()) - timedelta(hours=7)) + timedelta(minutes=5 * i), POWER)
            for i in range(3)
        ]
        await terminal.write(b"junk##0009QN=1\r\n")
        for qn in qns:
            await terminal.ack(qn)
        await terminal.close()
    assert len((await ingest.data(mn, start=(cst(now()) - timedelta(hours=8)).isoformat()))["items"]) == 3


async def test_packets_quarantined_by_another_ingest_process_are_adopted_on_request(
    ingest: IngestUnderTest,
    jwt_secret: str,
) -> None:
    other = create_app(ingest_settings(ingest.database_url, jwt_secret, device_refresh_s=3600, setup_on_connect=False))
    async with serve(other):  # started before the registration: it does not know the MN yet
        mn = (await ingest.register())["mn"]
        terminal = await Terminal(mn, other.state.runtime.server.port).connect()
        base = minute_floor(cst(now()) - timedelta(hours=9))
        for i in range(2):
            await terminal.ack(await terminal.send("2051", base + timedelta(minutes=5 * i), POWER))
        await terminal.close()
    reply = await ingest.http.post(f"/api/ingest/quarantine/{mn}/adopt", headers=ingest.auth())
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"packets": 2, "readings": 2, "left": 0}
    again = await ingest.http.post(f"/api/ingest/quarantine/{mn}/adopt", headers=ingest.auth())
    assert again.json() == {"packets": 0, "readings": 0, "left": 0}
    unknown = await ingest.http.post(f"/api/ingest/quarantine/{new_mn()}/adopt", headers=ingest.auth())
    assert unknown.status_code == 404 and "register it" in unknown.json()["error"]["message"]


async def test_a_terminal_that_outruns_the_database_is_slowed_down_and_loses_nothing(
    ingest: IngestUnderTest,
    jwt_secret: str,
) -> None:
    mn = (await ingest.register())["mn"]
    app = create_app(
        ingest_settings(ingest.database_url, jwt_secret, max_inflight_per_connection=4, setup_on_connect=False)
    )
    async with serve(app):
        runtime: IngestRuntime = app.state.runtime
        terminal = await Terminal(mn, runtime.server.port).connect()  # type: ignore[union-attr]
        base = minute_floor(cst(now()) - timedelta(hours=11), 1)
        packets = [terminal.upload("2051", base + timedelta(minutes=i), POWER) for i in range(40)]
        locker = await asyncpg.connect(asyncpg_dsn(ingest.database_url))
        tx = locker.transaction()
        await tx.start()
        await locker.execute("LOCK TABLE ingest.receipts IN EXCLUSIVE MODE")
        try:
            for _qn, data in packets:
                await terminal.write(data)
                await asyncio.sleep(0.002)  # separate TCP reads, as a live terminal sends them
            await asyncio.sleep(0.3)
            assert runtime.stats.paused_reading >= 1, "reading paused while its packets wait for the database"
            assert not terminal.acks
        finally:
            await tx.rollback()
            await locker.close()
        for qn, _ in packets:
            await terminal.ack(qn)
        await terminal.close()
    rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = $1", mn)
    assert rows[0]["n"] == 40


async def test_uploads_without_a_usable_data_time_are_kept_in_quarantine_and_answered(
    ingest: IngestUnderTest,
) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn, answer_commands=True)
    no_time = await terminal.send("2051", None, POWER)
    far_past = await terminal.send("2051", cst(now()) - timedelta(days=3000), POWER)
    await terminal.ack(no_time)
    await terminal.ack(far_past)
    reply = await ingest.http.get(f"/api/ingest/quarantine/{mn}", headers=ingest.auth())
    assert sorted(p["reason"] for p in reply.json()["items"]) == ["data_time_out_of_range", "no_data_time"]
    await terminal.close()


async def test_a_2025_terminal_s_heartbeat_is_answered_in_its_own_protocol_version(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn, st="44")
    beat = await terminal.send("9015", None, {}, flag=9)
    ack = await terminal.ack(beat)
    assert (ack.cn, ack.flag, ack.st) == ("9013", 8, "91")
    data = await terminal.send("2011", cst(now()), {"d20501": {"Rtd": "1.0"}}, flag=9)
    assert (await terminal.ack(data)).flag == 8
    await terminal.close()


async def test_bad_frames_are_counted_per_peer_and_kept_across_a_restart(
    ingest: IngestUnderTest,
    jwt_secret: str,
) -> None:
    mn = new_mn()
    app = create_app(ingest_settings(ingest.database_url, jwt_secret, setup_on_connect=False))
    async with serve(app):
        terminal = await Terminal(mn, app.state.runtime.server.port).connect()
        bad = bytearray(terminal.upload("2051", cst(now()), POWER)[1])
        bad[-6:-2] = b"FFFF" if bad[-6:-2] != b"FFFF" else b"EEEE"
        await terminal.write(bytes(bad) * 3)
        await asyncio.sleep(0.2)
        await terminal.close()
    rows = await ingest.sql("SELECT kind, count FROM ingest.link_errors_daily WHERE mn = $1", mn)
    assert [tuple(r) for r in rows] == [("CrcMismatch", 3)]
