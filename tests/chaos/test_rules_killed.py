"""The rules process killed (SIGKILL) while it judges a burst of enterprises and drains its outbox, and started
again: no abnormal record is lost or doubled, every record reaches the workflow and the province's bridge, and the
outbox drains, with at most the one batch in flight at the kill sent again.

Rules runs as `fbjd run` starts it (`uvicorn --factory fbjd_rules.app:main`) on a fresh database of this test; the
registry beside it is the real one (over HTTP, in this process); the workflow and the bridge are stand-ins that
keep every delivery (a little slow, so that the drain takes a while). Readings are written by ingest's own write
path and announced to rules as ingest announces them (POST /api/rules/notifications/readings).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import fixed_clock, now
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import ReadingRow, cst_day
from fbjd_ingest.readings.store import insert_readings
from fbjd_registry.app import create_app as create_registry
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import enterprise_form
from fbjd_testing.plugin import serve
from pydantic import SecretStr

from .processes import ServiceProcess, wait_until

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

ENTERPRISES = 24
OUTBOX_BATCH = 10
DELIVERY_DELAY_S = 0.04
XINHUA = "130902"
# Minutes of kiln (production) and bag-filter fan (treatment) power: the kiln runs all along; the fan stops three
# times for 20 minutes → three treatment-abnormal records per enterprise.
MINUTES = 210
FAN_OFF = ((30, 50), (90, 110), (150, 170))


@dataclass
class Destinations:
    """The workflow and the bridge as the rules' outbox sees them: every delivery kept, in order."""

    workflow: list[tuple[str, int]] = field(default_factory=list)  # (record id, version)
    bridge: list[tuple[str, int]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/workflow/abnormals")
        async def to_workflow(request: Request) -> JSONResponse:
            body = await request.json()
            await asyncio.sleep(DELIVERY_DELAY_S)
            self.workflow.append((body["id"], body["version"]))
            return JSONResponse({"applied": "created"}, status_code=201)

        @app.post("/api/bridge/abnormals")
        async def to_bridge(request: Request) -> JSONResponse:
            body = await request.json()
            await asyncio.sleep(DELIVERY_DELAY_S)
            self.bridge.append((body["id"], body["version"]))
            return JSONResponse({"accepted": True}, status_code=202)

        @app.post("/api/workflow/maintenance/findings")
        async def finding() -> JSONResponse:
            return JSONResponse({"applied": "created"}, status_code=201)

        return app


@pytest.fixture
async def registry_url(fresh_database_url: str, jwt_secret: str) -> AsyncIterator[str]:
    engine = make_engine(fresh_database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime(2020, 1, 1, tzinfo=UTC)))
    await engine.dispose()
    settings = RegistrySettings(database_url=fresh_database_url, jwt_secret=SecretStr(jwt_secret))
    async with serve(create_registry(settings)) as url:
        yield url


@pytest.fixture
async def destinations() -> AsyncIterator[tuple[Destinations, str]]:
    kept = Destinations()
    async with serve(kept.app()) as url:
        yield kept, url


@dataclass
class Kiln:
    """One enterprise in the registry: a kiln (production, one point) linked to a bag filter (its fan's point)."""

    ps_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    mn: str = field(default_factory=lambda: uuid.uuid4().hex[:24].upper())
    kiln_point: str = ""
    fan_point: str = ""

    async def register(self, registry: httpx.AsyncClient) -> None:
        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            reply = await registry.post(path, json=body)
            assert reply.status_code == 201, reply.text
            created: dict[str, Any] = reply.json()
            return created

        form = enterprise_form(XINHUA, name="沧州市故障测试陶瓷有限公司", ps_id=self.ps_id)
        await post("/enterprises", form)
        base = f"/enterprises/{self.ps_id}"
        kiln = await post(f"{base}/facilities", {"name": "1#隧道窑", "kind": "production"})
        bag = await post(f"{base}/facilities", {"name": "1#隧道窑布袋除尘器", "kind": "treatment"})
        point = {"rated_kw": 75.0, "mn": self.mn}
        kiln_point = {"facility_id": kiln["id"], "name": "1#隧道窑-主电机", "role": "production"}
        fan_point = {"facility_id": bag["id"], "name": "布袋除尘器-引风机", "role": "treatment"}
        self.kiln_point = (
            await post(f"{base}/points", {**point, **kiln_point, "threshold_kw": 20.0, "factor_code": "d20501"})
        )["id"]
        self.fan_point = (
            await post(f"{base}/points", {**point, **fan_point, "threshold_kw": 5.0, "factor_code": "d20502"})
        )["id"]
        await post(f"{base}/links", {"production_facility_id": kiln["id"], "treatment_facility_id": bag["id"]})

    def readings(self, start: datetime) -> list[ReadingRow]:
        rows = []
        for minute in range(MINUTES):
            at = start + timedelta(minutes=minute)
            fan_kw = 1.0 if any(a <= minute < b for a, b in FAN_OFF) else 30.0
            for code, point, kw in (("d20501", self.kiln_point, 80.0), ("d20502", self.fan_point, fan_kw)):
                row = (kw, kw, kw, None, "N", "active_power_kw", point, None, now())
                rows.append(ReadingRow(self.ps_id, self.mn, "2051", code, at, None, *row))
        return rows


async def store_readings(database_url: str, rows: list[ReadingRow]) -> None:
    """Through ingest's own write path: its day partitions, its INSERT … ON CONFLICT, one transaction."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await PartitionManager().ensure(conn, {cst_day(row.data_time) for row in rows})
        async with conn.transaction():
            await insert_readings(conn, rows)
    finally:
        await conn.close()


async def rules_state(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        row = await conn.fetchrow(
            """
            SELECT (SELECT count(*) FROM rules.enterprise_state WHERE dirty_from IS NULL) AS judged,
                   (SELECT count(*) FROM rules.outbox) AS queued,
                   (SELECT count(*) FROM rules.outbox WHERE sent_at IS NULL) AS unsent
            """
        )
    finally:
        await conn.close()
    assert row is not None
    return dict(row)


async def rules_records(database_url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        records: list[asyncpg.Record] = await conn.fetch(
            "SELECT id::text AS id, version, type, status, ps_id, start_at, duration_minutes FROM rules.abnormals"
        )
        return records
    finally:
        await conn.close()


async def test_rules_killed_mid_evaluation_and_drain_loses_and_doubles_no_abnormal_record(
    fresh_database_url: str,
    registry_url: str,
    destinations: tuple[Destinations, str],
    services: list[ServiceProcess],
    tmp_path: Path,
    jwt_secret: str,
    make_token: Callable[..., str],
) -> None:
    kept, destinations_url = destinations
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "FBJD_JWT_SECRET": jwt_secret,
        "FBJD_REGISTRY_URL": registry_url,
        "FBJD_WORKFLOW_URL": destinations_url,
        "FBJD_BRIDGE_URL": destinations_url,
        "FBJD_EVALUATION_POLL_S": "0.2",
        "FBJD_EVALUATION_RETRY_S": "0.5",
        "FBJD_OUTBOX_POLL_S": "0.2",
        "FBJD_OUTBOX_MAX_BACKOFF_S": "0.5",
        "FBJD_OUTBOX_BATCH": str(OUTBOX_BATCH),
        "FBJD_SWEEP_INTERVAL_S": "3600",
        "FBJD_LOG_LEVEL": "WARNING",
    }
    rules = ServiceProcess("rules", env, tmp_path)
    services.append(rules)
    kilns = [Kiln() for _ in range(ENTERPRISES)]
    registry_headers = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    async with httpx.AsyncClient(base_url=f"{registry_url}/api/registry", headers=registry_headers) as registry:
        before_the_data = now() - timedelta(days=1)
        with fixed_clock(lambda: before_the_data):  # the registry's change log: all of it was there a day ago
            for kiln in kilns:
                await kiln.register(registry)
    start = (now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    await store_readings(fresh_database_url, [row for kiln in kilns for row in kiln.readings(start)])
    expected = sorted(
        (kiln.ps_id, start + timedelta(minutes=off)) for kiln in kilns for off, _ in FAN_OFF
    )  # (enterprise, start of the fan's stop)
    await rules.start()

    end = start + timedelta(minutes=MINUTES)
    windows = [{"ps_id": k.ps_id, "mn": k.mn, "start": start.isoformat(), "end": end.isoformat()} for k in kilns]
    async with httpx.AsyncClient(base_url=rules.url, timeout=30) as client:
        reply = await client.post(
            "/api/rules/notifications/readings",
            json={"windows": windows},
            headers={"Authorization": f"Bearer {make_token(Role.SERVICE)}"},
        )
    assert reply.status_code == 202, reply.text

    async def first_delivered() -> bool:
        return len(kept.workflow) >= 1

    await wait_until(first_delivered, 60, "the first record delivered to the workflow")
    rules.kill()
    at_kill = await rules_state(fresh_database_url)
    delivered_at_kill = len(kept.workflow), len(kept.bridge)
    await rules.start()

    async def settled() -> bool:
        state = await rules_state(fresh_database_url)
        return state["judged"] == ENTERPRISES and state["queued"] > 0 and state["unsent"] == 0

    await wait_until(settled, 60, "every enterprise judged and the outbox drained after the restart", every_s=0.2)

    log.info(
        "rules killed: at the kill %s, delivered (workflow, bridge) %s of %d; afterwards %d deliveries to the "
        "workflow, %d to the bridge",
        at_kill,
        delivered_at_kill,
        len(expected),
        len(kept.workflow),
        len(kept.bridge),
    )
    assert at_kill["judged"] < ENTERPRISES or at_kill["unsent"] > 0, f"the kill came mid-work: {at_kill}"
    assert min(delivered_at_kill) < len(expected), "the kill came before every record was delivered"
    records = await rules_records(fresh_database_url)
    assert {(r["type"], r["status"], r["version"], r["duration_minutes"]) for r in records} == {
        ("treatment_abnormal", "open", 1, 20)
    }
    assert sorted((r["ps_id"], r["start_at"]) for r in records) == expected, "each stop of a fan is one record"
    versions = {r["id"]: r["version"] for r in records}
    for name, deliveries in (("workflow", kept.workflow), ("bridge", kept.bridge)):
        held: dict[str, int] = {}
        for record_id, version in deliveries:
            held[record_id] = max(version, held.get(record_id, 0))
        assert held == versions, f"the {name} holds every record, at its version, and no other"
        again = sum(n - 1 for n in Counter(deliveries).values())
        assert again <= OUTBOX_BATCH, f"{again} deliveries to the {name} repeated: more than the batch in flight"
