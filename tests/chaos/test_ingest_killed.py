"""The ingest process killed (SIGKILL) while a fleet delivers its history at full rate, and started again on the
same ports: the terminals reconnect and resend what was not acknowledged; every acknowledged reading is stored
exactly once, nothing else is stored, and the daily receipt counts count each packet once.

Ingest runs as `fbjd run` starts it (`uvicorn --factory fbjd_ingest.app:main`) on a fresh database of this test.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fbjd_core.auth import Role
from fbjd_infra.postgres import free_port

from .ingest_path import Fleet, ingest_env, make_fleet, register, stored_for
from .processes import ServiceProcess, wait_until

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

TERMINALS = 24
HISTORY_HOURS = 3.0


async def test_ingest_killed_and_restarted_under_full_rate_keeps_every_acknowledged_reading_once(
    fresh_database_url: str,
    services: list[ServiceProcess],
    tmp_path: Path,
    jwt_secret: str,
    make_token: Callable[..., str],
) -> None:
    hj212_port = free_port()
    env = ingest_env(dict(os.environ), database_url=fresh_database_url, jwt_secret=jwt_secret, hj212_port=hj212_port)
    ingest = ServiceProcess("ingest", env, tmp_path)
    services.append(ingest)
    await ingest.start()
    fleet = Fleet(make_fleet(TERMINALS, hj212_port, history_hours=HISTORY_HOURS))
    await register(ingest.url, make_token(Role.CITY), fleet.specs)

    async def a_quarter_acknowledged() -> bool:
        return fleet.acked_count >= records // 4

    async def settled() -> bool:
        return fleet.settled

    records = await fleet.start()
    try:
        await wait_until(a_quarter_acknowledged, 60, "a quarter of the history acknowledged")
        ingest.kill()
        acked_at_kill = fleet.acked_count
        await ingest.start()
        await wait_until(settled, 90, "every terminal's history acknowledged by the restarted ingest")
    finally:
        await fleet.stop()

    assert acked_at_kill < records, "the kill came in the middle of the history"
    assert fleet.connects() > TERMINALS, "the terminals reconnected to the restarted ingest"
    stored = await stored_for(fresh_database_url, fleet.mns)
    acked = fleet.acked_keys()
    doubled = [key for key, n in Counter(stored.readings).items() if n > 1]
    assert not doubled, f"readings stored twice: {doubled[:5]}"
    missing = set(acked) - set(stored.readings)
    assert not missing, f"{len(missing)} acknowledged readings are not stored, e.g. {sorted(missing)[:3]}"
    assert len(acked) == len(set(acked)) == len(stored.readings), "every packet acknowledged once, nothing else stored"
    log.info(
        "ingest killed: %d records, %d packets acknowledged at the kill, %d packets resent, %d connects, "
        "%d readings stored",
        records,
        acked_at_kill,
        len(fleet.resent()),
        fleet.connects(),
        len(stored.readings),
    )
    assert fleet.resent(), "the packets in flight at the kill were sent again"
    assert stored.receipts == stored.received_daily == len(fleet.data_times()), "one receipt per DataTime, counted once"
