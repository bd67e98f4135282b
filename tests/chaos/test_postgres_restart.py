"""PostgreSQL restarted while ingest takes a fleet's history at full rate (once with a fast shutdown, once with an
immediate one: no checkpoint, crash recovery at start): the terminals lose their 9014s, time out, reconnect and
resend; ingest acknowledges nothing while the database is away; afterwards every acknowledged reading is in
ingest.readings exactly once and the resent packets were stored once.

The server is a private EmbeddedPostgres (the session's shared one must not go away under other tests); ingest
runs as its own process (`uvicorn --factory fbjd_ingest.app:main`, as `fbjd run` starts it); the terminals are
the project's simulator, each with three hours of minute data to deliver.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.migrate import migrate_all
from fbjd_infra.postgres import EmbeddedPostgres, free_port

from .ingest_path import Fleet, ingest_env, make_fleet, register, stored_for
from .processes import ServiceProcess, wait_until

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

TERMINALS = 24
HISTORY_HOURS = 3.0
DOWN_S = 4.0
LATE_ACK_S = 1.0  # a 9014 for a commit made just before the stop may still be on its way this long after


@pytest.fixture
async def private_postgres() -> AsyncIterator[EmbeddedPostgres]:
    """A PostgreSQL server of this test's own, in a temporary directory, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="fbjd-chaos-pg-"))
    parent.chmod(0o755)  # as root the server runs as `postgres`, which must reach its data directory
    server = EmbeddedPostgres(parent / "data", database="fbjd_chaos")
    try:
        url = await asyncio.to_thread(server.start)
        await asyncio.to_thread(migrate_all, url)
        yield server
    finally:
        await asyncio.to_thread(server.stop)
        shutil.rmtree(parent, ignore_errors=True)


@dataclass
class Availability:
    """Connects to PostgreSQL every 50 ms and notes each answer and each refusal (a connection that is merely slow,
    on a busy machine, is neither): the outage is the longest run of refusals between two answers."""

    dsn: str
    seen: list[tuple[float, bool]] = field(default_factory=list)

    async def watch(self) -> None:
        while True:
            at = time.monotonic()
            try:
                conn = await asyncpg.connect(self.dsn, timeout=5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self.seen.append((at, False))
            except TimeoutError:
                pass
            else:
                await conn.close()
                self.seen.append((at, True))
            await asyncio.sleep(0.05)

    def outage(self) -> tuple[float, float]:
        """(last answer before the outage, first answer after it)."""
        best: tuple[float, float] | None = None
        last_up: float | None = None
        refused = False
        for at, up in self.seen:
            if up:
                if refused and last_up is not None and (best is None or at - last_up > best[1] - best[0]):
                    best = (last_up, at)
                last_up, refused = at, False
            else:
                refused = True
        assert best is not None, f"no outage seen between two answers: {self.seen[:3]} … {self.seen[-3:]}"
        return best


async def ingest_stats(ingest: ServiceProcess, token: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=ingest.url, timeout=10) as client:
        reply = await client.get("/api/ingest/stats", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    stats: dict[str, object] = reply.json()
    return stats


@pytest.mark.parametrize("mode", ["immediate", "fast"])
async def test_postgres_restarted_during_full_rate_ingest_loses_no_acknowledged_reading_and_stores_resends_once(
    mode: str,
    private_postgres: EmbeddedPostgres,
    services: list[ServiceProcess],
    tmp_path: Path,
    jwt_secret: str,
    make_token: Callable[..., str],
) -> None:
    database_url = private_postgres.url
    hj212_port = free_port()
    env = ingest_env(dict(os.environ), database_url=database_url, jwt_secret=jwt_secret, hj212_port=hj212_port)
    ingest = ServiceProcess("ingest", env, tmp_path)
    services.append(ingest)
    await ingest.start()
    token = make_token(Role.CITY)
    fleet = Fleet(make_fleet(TERMINALS, hj212_port, history_hours=HISTORY_HOURS))
    await register(ingest.url, token, fleet.specs)
    availability = Availability(asyncpg_dsn(database_url))
    watcher = asyncio.create_task(availability.watch())
    records = await fleet.start()
    try:
        await wait_until(lambda: _at_least(fleet, records // 4), 60, "a quarter of the history acknowledged")
        acked_before = fleet.acked_count
        await asyncio.to_thread(private_postgres.restart, mode=mode, down_s=DOWN_S)
        try:
            await wait_until(lambda: _settled(fleet), 90, "every terminal's history acknowledged after the restart")
        except AssertionError as exc:
            stats = await ingest_stats(ingest, token)
            waiting = "\n".join(fleet.unsettled())
            raise AssertionError(f"{exc}\n{waiting}\ningest: {stats}\n{ingest.log_tail()}") from None
    finally:
        await fleet.stop()
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)

    last_up, back_up = availability.outage()
    quiet_from = last_up + LATE_ACK_S
    acks_while_down = [t for t in fleet.ack_times() if quiet_from < t < back_up]
    writes_while_down = [t for t in fleet.write_times() if quiet_from < t < back_up]
    assert acked_before < records, "the restart came in the middle of the history"
    assert back_up - last_up >= DOWN_S, f"PostgreSQL was away {back_up - last_up:.1f} s"
    assert writes_while_down, "the terminals kept sending while PostgreSQL was away"
    assert acks_while_down == [], f"{len(acks_while_down)} packets acknowledged while PostgreSQL was away"
    assert fleet.connects() > TERMINALS, "terminals that heard no 9014 reconnected"

    stored = await stored_for(database_url, fleet.mns)
    acked = fleet.acked_keys()
    doubled = [key for key, n in Counter(stored.readings).items() if n > 1]
    assert not doubled, f"readings stored twice: {doubled[:5]}"
    missing = set(acked) - set(stored.readings)
    assert not missing, f"{len(missing)} acknowledged readings are not stored, e.g. {sorted(missing)[:3]}"
    assert len(acked) == len(set(acked)) == len(stored.readings), "every packet acknowledged once, nothing else stored"
    resent = fleet.resent()
    assert resent, "some packets went unacknowledged during the outage and were sent again"
    assert stored.receipts == stored.received_daily == len(fleet.data_times()), "one receipt per DataTime, counted once"

    writer = (await ingest_stats(ingest, token))["writer"]
    assert isinstance(writer, dict)
    log.info(
        "postgres restart (%s): %d records, %d packets acknowledged before the stop, away %.1f s, %d writes and "
        "%d acks while away, %d packets resent, %d connects, %d readings stored, writer: %d failures, "
        "%d readings written, %d new",
        mode,
        records,
        acked_before,
        back_up - last_up,
        len(writes_while_down),
        len(acks_while_down),
        len(resent),
        fleet.connects(),
        len(stored.readings),
        writer["failures"],
        writer["readings"],
        writer["readings_new"],
    )
    assert writer["failures"] >= 1, "the writer saw the database go away"
    assert writer["readings_new"] <= len(stored.readings), "a resent reading is not counted as new again"


async def _at_least(fleet: Fleet, acked: int) -> bool:
    return fleet.acked_count >= acked


async def _settled(fleet: Fleet) -> bool:
    return fleet.settled
