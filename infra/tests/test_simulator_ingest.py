"""The simulator against the real ingest service (its HTTP API and HJ 212 server, real PostgreSQL): the two
ends share the codec, so everything the simulator sends must be understood, stored once and answered."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.simulators.clock import SimClock
from fbjd_infra.simulators.dtu import Simulation
from fbjd_infra.simulators.fleet import build_fleet
from fbjd_infra.simulators.packets import meter_codes
from fbjd_infra.simulators.register import device_payload
from fbjd_infra.simulators.terminal import TerminalOptions
from fbjd_ingest.app import create_app
from fbjd_ingest.config import Settings
from fbjd_testing.plugin import serve
from hj212.versions import Version
from pydantic import SecretStr

SPEED = 120.0  # two simulated minutes per real second


async def _sql(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


@pytest.fixture
async def ingest(database_url: str, jwt_secret: str) -> AsyncIterator[tuple[str, int]]:
    # clock_skew_s: the simulated clocks run SPEED times faster than the center's; ingest must not take their
    # (future) DataTimes for clock errors
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(jwt_secret),
        hj212_host="127.0.0.1",
        hj212_port=0,
        command_timeout_s=5.0,
        clock_skew_s=86400.0,
    )
    app = create_app(settings)
    async with serve(app) as url:
        yield url, app.state.runtime.server.port


async def until(condition: Callable[[], Any], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_simulated_terminals_are_stored_set_up_and_gap_filled_by_ingest(
    ingest: tuple[str, int], database_url: str, make_token: Callable[..., str]
) -> None:
    base_url, port = ingest
    fleet = build_fleet(3, seed=4242)  # two HJ 212-2017 (vendor-ea3001 codes), one 2025 (d-codes)
    assert {s.version for s in fleet} == {Version.HJ212_2017, Version.HJ212_2025}
    headers = {"Authorization": f"Bearer {make_token(Role.ADMIN)}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        for spec in fleet:
            reply = await client.post("/api/ingest/devices", json=device_payload(spec))
            assert reply.status_code == 201, reply.text
    mns = [s.mn for s in fleet]
    options = TerminalOptions(ack_timeout_s=2.0, reconnect_delay_s=0.1, reconnect_max_s=0.5)
    simulation = Simulation(fleet, host="127.0.0.1", port=port, clock=SimClock(speed=SPEED), options=options)
    run = asyncio.create_task(simulation.run(summary_every_s=5))
    try:

        async def stored_minutes() -> bool:
            rows = await _sql(
                database_url, "SELECT mn, count(*) AS n FROM ingest.receipts WHERE mn = ANY($1) GROUP BY mn", mns
            )
            return len(rows) == len(mns) and all(r["n"] >= 4 for r in rows)

        await until(stored_minutes)
        outaged = simulation.terminals[0]
        await outaged.outage(6 * 60)  # six simulated minutes off the network, measuring into the backlog

        async def recovered() -> bool:
            return (
                outaged.stats.outages == 1
                and outaged.connected
                and outaged.backlog == 0
                and (outaged.stats.connects >= 2)
            )

        await until(recovered)
        await asyncio.sleep(2)  # a couple more live minutes after the resend
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)

    stats = simulation.stats()
    assert stats.unacked == 0 and stats.dropped == 0 and stats.acked >= stats.sent - len(fleet)  # in flight at stop
    for spec in fleet:
        times = [
            r["data_time"]
            for r in await _sql(
                database_url, "SELECT data_time FROM ingest.receipts WHERE mn = $1 AND cn = '2051' ORDER BY 1", spec.mn
            )
        ]
        assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(times)), spec.mn  # no gap
        codes = {c for m in spec.plant.meters for c in meter_codes(spec.profile, m).values()}
        readings = await _sql(
            database_url,
            "SELECT code, quantity, count(*) AS n FROM ingest.readings "
            "WHERE mn = $1 AND cn = '2051' GROUP BY code, quantity",
            spec.mn,
        )
        assert {r["code"] for r in readings} == codes  # every factor stored, split packets merged
        assert all(r["quantity"] is not None for r in readings)  # and mapped by ingest's profile
        assert all(r["n"] == len(times) for r in readings)  # once per minute: resends stored once
        setup = {
            r["cn"]: r
            for r in await _sql(database_url, "SELECT cn, qn_rtn, exe_rtn FROM ingest.commands WHERE mn = $1", spec.mn)
        }
        for cn in ("1012", "1000", "1062", "1064"):  # the center's set-up, answered 9011 QnRtn=1, 9012 ExeRtn=1
            assert (setup[cn]["qn_rtn"], setup[cn]["exe_rtn"]) == (1, 1), (spec.mn, cn)
    # back from the outage, the fresh minute came first: ingest saw the gap and asked for it (2051 history),
    # and the terminal answered from its store while its backlog was resent too -- stored once all the same
    history = await _sql(
        database_url, "SELECT qn_rtn, exe_rtn FROM ingest.commands WHERE mn = $1 AND cn = '2051'", fleet[0].mn
    )
    assert [(r["qn_rtn"], r["exe_rtn"]) for r in history] == [(1, 1)]
    quarantined = await _sql(database_url, "SELECT count(*) AS n FROM ingest.quarantine WHERE mn = ANY($1)", mns)
    refused = await _sql(database_url, "SELECT count(*) AS n FROM ingest.security_events WHERE mn = ANY($1)", mns)
    assert quarantined[0]["n"] == 0 and refused[0]["n"] == 0
