"""Fixtures of the rules service's integration tests: the real registry over HTTP, a fake workflow that records
what it receives, the rules service itself over HTTP, and readings written into ingest's partitioned table.

The database is shared by the whole session, so each test makes its own enterprise (random psId, credit code,
MN) and asserts only about it. The registry logs changes at `fbjd_core.time.now()`; tests that need the
registry "as of" a past instant create data inside `registry_clock(at)` (tokens are issued before, at real time).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import enterprise_form
from fbjd_rules.app import create_app
from fbjd_rules.config import Settings
from fbjd_testing.plugin import serve
from pydantic import SecretStr

XINHUA, CANGXIAN = "130902", "130921"
CST_OFFSET = timedelta(hours=8)


@contextmanager
def registry_clock(at: datetime) -> Iterator[None]:
    """Registry writes inside this block are logged at `at` (the clock stands still)."""
    with fixed_clock(lambda: at):
        yield


@pytest.fixture(autouse=True)
def rules_logs_at_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every test runs the service's INFO logging for real (a reserved `extra` key would fail the call)."""
    caplog.set_level(logging.INFO, logger="fbjd_rules")
    return caplog


@pytest.fixture
def registry_at() -> Callable[[datetime], Any]:
    """registry_at(t): a context manager in which registry writes are logged at `t`."""
    return registry_clock


@pytest.fixture(scope="session")
async def registry_url(database_url: str, jwt_secret: str) -> AsyncIterator[str]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime(2020, 1, 1, tzinfo=UTC)))
    await engine.dispose()
    settings = RegistrySettings(database_url=database_url, jwt_secret=SecretStr(jwt_secret))
    async with serve(create_registry_app(settings)) as url:
        yield url


@dataclass
class FakeWorkflow:
    """Records every POST /api/workflow/abnormals (and the bridge's /api/bridge/abnormals, and the maintenance
    findings); `failing` answers 503 to the abnormals (a workflow outage)."""

    received: list[dict[str, Any]] = field(default_factory=list)
    bridge_received: list[dict[str, Any]] = field(default_factory=list)  # POST /api/bridge/abnormals
    findings_received: list[dict[str, Any]] = field(default_factory=list)  # POST /api/workflow/maintenance/findings
    failing: bool = False
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/workflow/abnormals")
        async def receive(request: Request) -> JSONResponse:
            if self.failing:
                return JSONResponse({"error": "maintenance"}, status_code=503)
            assert request.headers["authorization"].startswith("Bearer ")
            self.received.append(await request.json())
            return JSONResponse({"ok": True}, status_code=201)

        @app.post("/api/workflow/maintenance/findings")
        async def finding(request: Request) -> JSONResponse:
            assert request.headers["authorization"].startswith("Bearer ")
            self.findings_received.append(await request.json())
            return JSONResponse({"applied": "created"}, status_code=201)

        @app.post("/api/bridge/abnormals")
        async def bridge(request: Request) -> JSONResponse:
            assert request.headers["authorization"].startswith("Bearer ")
            self.bridge_received.append(await request.json())
            return JSONResponse({"accepted": True}, status_code=202)

        return app

    def of(self, ps_id: str) -> list[dict[str, Any]]:
        return [body for body in self.received if body["ps_id"] == ps_id]

    def findings_of(self, ps_id: str) -> list[dict[str, Any]]:
        return [body for body in self.findings_received if body["ps_id"] == ps_id]


@pytest.fixture(scope="session")
async def workflow() -> AsyncIterator[FakeWorkflow]:
    fake = FakeWorkflow()
    async with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def rules_settings(database_url: str, jwt_secret: str, registry_url: str, workflow: FakeWorkflow) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=SecretStr(jwt_secret),
        registry_url=registry_url,
        workflow_url=workflow.url,
        bridge_url=workflow.url,
        evaluation_poll_s=0.2,
        evaluation_retry_s=0.5,
        outbox_poll_s=0.2,
        outbox_max_backoff_s=0.5,
        registry_cache_s=0.0,
        registry_periods_cache_s=0.0,
        sweep_interval_s=3600.0,
    )


@pytest.fixture(scope="session")
async def rules_app(rules_settings: Settings) -> AsyncIterator[tuple[FastAPI, str]]:
    app = create_app(rules_settings)
    async with serve(app) as url:
        yield app, url


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def clients(
    registry_url: str, rules_app: tuple[FastAPI, str], make_token: Callable[..., str]
) -> AsyncIterator[ClientFactory]:
    """clients("rules" | "registry", role, **scope) → a client with a token issued now (real time)."""
    made: list[httpx.AsyncClient] = []

    def factory(service: str, role: Role = Role.CITY, **scope: str) -> httpx.AsyncClient:
        base = f"{registry_url}/api/registry" if service == "registry" else f"{rules_app[1]}/api/rules"
        client = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {make_token(role, **scope)}"}, timeout=30
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


class Plant:
    """One enterprise in the registry (created through its API) with readings written for its points."""

    def __init__(self, registry: httpx.AsyncClient, database_url: str) -> None:
        self.registry = registry
        self.database_url = asyncpg_dsn(database_url)
        self.ps_id = uuid.uuid4().hex
        self.mn = uuid.uuid4().hex[:24].upper()
        self.points: dict[str, dict[str, Any]] = {}
        self.facilities: dict[str, dict[str, Any]] = {}
        self._codes = 0

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = await self.registry.post(path, json=body)
        assert reply.status_code == 201, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def enterprise(self, county: str = XINHUA) -> None:
        await self._post("/enterprises", enterprise_form(county, name="沧州市规则测试陶瓷有限公司", ps_id=self.ps_id))

    async def facility(self, key: str, name: str, kind: str = "production") -> dict[str, Any]:
        self.facilities[key] = await self._post(f"/enterprises/{self.ps_id}/facilities", {"name": name, "kind": kind})
        return self.facilities[key]

    async def point(self, key: str, facility: str, name: str, **extra: Any) -> dict[str, Any]:
        self._codes += 1
        body = {
            "facility_id": self.facilities[facility]["id"],
            "name": name,
            "role": self.facilities[facility]["kind"],
            "rated_kw": 75.0,
            "threshold_kw": 10.0,
            "mn": self.mn,
            "factor_code": f"d2050{self._codes}",
            **extra,
        }
        self.points[key] = await self._post(f"/enterprises/{self.ps_id}/points", body)
        return self.points[key]

    async def link(self, production: str, treatment: str) -> None:
        await self._post(
            f"/enterprises/{self.ps_id}/links",
            {
                "production_facility_id": self.facilities[production]["id"],
                "treatment_facility_id": self.facilities[treatment]["id"],
            },
        )

    async def kiln_and_bag_filter(self, **fan: Any) -> None:
        await self.enterprise()
        await self.facility("kiln", "1#隧道窑")
        await self.facility("bag", "1#隧道窑布袋除尘器", "treatment")
        await self.point("kiln", "kiln", "1#隧道窑-主电机", threshold_kw=20.0)
        await self.point("fan", "bag", "1#隧道窑布袋除尘器-引风机", threshold_kw=5.0, **fan)
        await self.link("kiln", "bag")

    async def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Any readings rows (ingest.readings column order), e.g. voltage or current for rule 5."""
        await write_readings(self.database_url, rows)

    async def power(
        self, key: str, start: datetime, steps: list[tuple[int, float]], *, interval: int = 1, flag: str = "N"
    ) -> tuple[datetime, datetime]:
        """Minute data (CN 2051) of one point: (minutes, kW) steps from `start`; returns the window written."""
        rows, t = [], start
        point = self.points[key]
        for minutes, kw in steps:
            for _ in range(0, minutes, interval):
                rows.append(
                    (
                        self.ps_id,
                        self.mn,
                        "2051",
                        point["factor_code"],
                        t,
                        None,
                        kw,
                        kw,
                        kw,
                        None,
                        flag,
                        "active_power_kw",
                        point["id"],
                        None,
                        now(),
                    )
                )
                t += timedelta(minutes=interval)
        await write_readings(self.database_url, rows)
        return start, t


async def write_readings(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert into ingest.readings (upsert, as a resend would), creating the CST-day partitions first
    (named as ingest names them: readings_pYYYYMMDD); rules itself only ever reads readings_v1."""
    days: set[date] = {(row[4] + CST_OFFSET).date() for row in rows}
    conn = await asyncpg.connect(dsn)
    try:
        for day in sorted(days):
            upper = day + timedelta(days=1)
            for table in ("readings", "receipts"):
                await conn.execute(
                    f"CREATE TABLE IF NOT EXISTS ingest.{table}_p{day:%Y%m%d} PARTITION OF ingest.{table} "
                    f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+08') TO ('{upper.isoformat()} 00:00:00+08')"
                )
        await conn.executemany(
            """
            INSERT INTO ingest.readings (ps_id, mn, cn, code, data_time, rtd, avg, min, max, cou, flag, quantity,
                                         point_id, extra, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (mn, cn, code, data_time) DO UPDATE SET avg = EXCLUDED.avg, rtd = EXCLUDED.rtd,
                min = EXCLUDED.min, max = EXCLUDED.max, cou = EXCLUDED.cou, flag = EXCLUDED.flag
            """,
            rows,
        )
    finally:
        await conn.close()


@pytest.fixture
def plant(clients: ClientFactory, database_url: str) -> Plant:
    return Plant(clients("registry", Role.CITY), database_url)


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class RulesFlow:
    """Talks to the rules service as ingest (notifications) and as the city (reads); waits for results."""

    def __init__(self, ingest: httpx.AsyncClient, city: httpx.AsyncClient, app: FastAPI) -> None:
        self.ingest, self.city, self.app = ingest, city, app

    async def notify(self, plant: Plant, start: datetime, end: datetime) -> None:
        window = {"ps_id": plant.ps_id, "mn": plant.mn, "start": start.isoformat(), "end": end.isoformat()}
        reply = await self.ingest.post("/notifications/readings", json={"windows": [window]})
        assert reply.status_code == 202, reply.text

    async def records(self, ps_id: str, **params: Any) -> list[dict[str, Any]]:
        reply = await self.city.get("/abnormals", params={"ps_id": ps_id, **params})
        assert reply.status_code == 200, reply.text
        result: list[dict[str, Any]] = reply.json()
        return result

    async def settled(self, ps_id: str, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The enterprise's records once its pending evaluation is done and the outbox has drained."""
        import asyncio

        from fbjd_rules.evaluation import repository as state_repository
        from fbjd_rules.outbox import repository as outbox_repository

        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.app.state.sessionmaker() as session:
                state = await state_repository.get(session, ps_id)
                pending = await outbox_repository.pending_count(session)
            if state is not None and state.dirty_from is None and pending == 0:
                return await self.records(ps_id)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"not settled: dirty_from={state and state.dirty_from} "
                    f"error={state and state.last_error} outbox pending={pending}"
                )
            await asyncio.sleep(0.05)


@pytest.fixture
def flow(clients: ClientFactory, rules_app: tuple[FastAPI, str]) -> RulesFlow:
    return RulesFlow(clients("rules", Role.SERVICE), clients("rules", Role.CITY), rules_app[0])
