"""Many terminals at once, and connections that misbehave."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from fbjd_core.time import now
from fbjd_ingest.app import create_app
from fbjd_testing.plugin import serve

from .conftest import IngestUnderTest, Terminal, cst, ingest_settings, minute_floor, new_mn

POWER = {"d20501": {"Rtd": "132.5", "Flag": "N"}, "d20601": {"Rtd": "88123.4", "Flag": "N"}}
TERMINALS = 500
PACKETS = 3


async def test_five_hundred_terminals_at_once_each_get_every_acknowledgement(ingest: IngestUnderTest) -> None:
    limit = asyncio.Semaphore(50)

    async def register() -> str:
        async with limit:
            return str((await ingest.register(new_mn(), min_interval_s=60))["mn"])

    mns = await asyncio.gather(*(register() for _ in range(TERMINALS)))
    base = minute_floor(cst(now()) - timedelta(hours=6), 1)
    started = time.perf_counter()
    terminals = await asyncio.gather(*(ingest.terminal(mn) for mn in mns))

    async def run(terminal: Terminal) -> None:
        packets = [terminal.upload("2051", base + timedelta(minutes=i), POWER) for i in range(PACKETS)]
        for _qn, data in packets:
            await terminal.write(data)
        for qn, _ in packets:
            await terminal.ack(qn, timeout=30)

    await asyncio.gather(*(run(t) for t in terminals))
    elapsed = time.perf_counter() - started
    stats = await ingest.stats()
    assert stats["connections"]["open"] >= TERMINALS
    await asyncio.gather(*(t.close() for t in terminals))
    rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = ANY($1::text[])", mns)
    assert rows[0]["n"] == TERMINALS * PACKETS * len(POWER)
    assert elapsed < 30, f"{TERMINALS} terminals took {elapsed:.1f} s"


async def test_a_silent_connection_is_closed_after_the_idle_time_out_and_others_are_not_stalled(
    database_url: str,
    jwt_secret: str,
) -> None:
    app = create_app(ingest_settings(database_url, jwt_secret, idle_timeout_s=0.4, setup_on_connect=False))
    async with serve(app):
        port = app.state.runtime.server.port
        busy = await Terminal(new_mn(), port).connect()
        silent = await Terminal(new_mn(), port).connect()
        half = await Terminal(new_mn(), port).connect()
        await half.write(b"##0300QN=2026")  # a packet that never completes
        qn = await busy.send("2051", minute_floor(cst(now()) - timedelta(hours=1)), POWER)
        await busy.ack(qn, timeout=1)  # answered while the others hang (an unknown MN: quarantined, answered)
        assert silent._task is not None and half._task is not None
        await asyncio.wait_for(silent._task, 3)  # the server closed them: their reads end with EOF
        await asyncio.wait_for(half._task, 3)
        assert app.state.runtime.stats.closed_idle >= 2
        await busy.close()
        await silent.close()
        await half.close()
