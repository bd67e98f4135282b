"""Fixtures of the workflow's tests: the real service over HTTP on the real test database, the outside world
it talks to (registry, provincial bridge, mobile enforcement webhook, notification webhook) as one small fake
HTTP server, clients per role, a clock that moves forward, and a factory of abnormal records.

The database is shared by the whole session: every test makes its own enterprises (fresh psIds) and asserts
only about them. The service's scheduler is off here; tests fire timers and deliver the outbox by calling
the very functions the scheduler calls, at a chosen moment — durations shortened by configuration and by
moving the clock, never by sleeping.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.time import fixed_clock
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app
from fbjd_workflow.config import Settings
from fbjd_workflow.errors import SignatureRejected
from fbjd_workflow.outbox.tasks import DeliveryReport, deliver_due
from fbjd_workflow.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, ReplayGuard, verify
from fbjd_workflow.timers.tasks import process_due_timers
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

CANGXIAN, RENQIU = "130921", "130982"  # 沧县, 任丘市
WEBHOOK_SECRET = "mobile-enforcement-shared-secret"


@dataclass
class Outside:
    """The systems around the workflow, as the tests see them."""

    enterprises: dict[str, dict[str, Any]] = field(default_factory=dict)
    bridge_received: list[dict[str, Any]] = field(default_factory=list)
    bridge_failures: dict[str, int] = field(default_factory=dict)  # alarm id → answers 503 this many times
    webhook_received: list[dict[str, Any]] = field(default_factory=list)
    webhook_refused: list[str] = field(default_factory=list)
    webhook_failures: dict[str, int] = field(default_factory=dict)  # alarm id → answers 500 this many times
    notices: list[dict[str, Any]] = field(default_factory=list)

    def bridge_payloads(self, alarm_id: str) -> list[dict[str, Any]]:
        return [p for p in self.bridge_received if p["alarm_id"] == alarm_id]

    def tasks_pushed(self, alarm_id: str) -> list[dict[str, Any]]:
        return [m for m in self.webhook_received if m["body"].get("task", {}).get("alarm_id") == alarm_id]

    def notices_of(self, ps_id: str) -> list[dict[str, Any]]:
        return [n for n in self.notices if n["ps_id"] == ps_id]


def outside_app(outside: Outside) -> FastAPI:
    app = FastAPI()
    guard = ReplayGuard()
    processed: set[str] = set()

    @app.get("/api/registry/enterprises")
    async def enterprises(request: Request, stage: str, limit: int = 500, offset: int = 0) -> JSONResponse:
        assert request.headers["authorization"].startswith("Bearer ")
        rows = [{"ps_id": k, **e} for k, e in outside.enterprises.items() if e.get("stage") == stage]
        return JSONResponse(rows[offset : offset + limit])

    @app.get("/api/registry/enterprises/{ps_id}")
    async def enterprise(ps_id: str, request: Request) -> JSONResponse:
        assert request.headers["authorization"].startswith("Bearer ")
        found = outside.enterprises.get(ps_id)
        return JSONResponse(found or {"error": "not found"}, status_code=200 if found else 404)

    @app.post("/api/bridge/dispositions")
    async def bridge(request: Request) -> JSONResponse:
        assert request.headers["authorization"].startswith("Bearer ")
        payload = await request.json()
        if outside.bridge_failures.get(payload["alarm_id"], 0) > 0:
            outside.bridge_failures[payload["alarm_id"]] -= 1
            return JSONResponse({"error": "province unavailable"}, status_code=503)
        outside.bridge_received.append(payload)
        return JSONResponse({"accepted": True})

    @app.post("/hooks/enforcement")
    async def enforcement(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            verify(
                WEBHOOK_SECRET,
                timestamp=request.headers.get(TIMESTAMP_HEADER),
                signature=request.headers.get(SIGNATURE_HEADER),
                body=body,
            )
            guard.check(request.headers[SIGNATURE_HEADER])
        except SignatureRejected as exc:
            outside.webhook_refused.append(exc.message)
            return JSONResponse({"error": exc.message}, status_code=401)
        if request.headers[DELIVERY_HEADER] in processed:
            return JSONResponse({"ok": True, "duplicate": True})
        message = await request.json()
        alarm_id = message.get("task", {}).get("alarm_id") or message.get("alarm_id")
        if outside.webhook_failures.get(alarm_id, 0) > 0:
            outside.webhook_failures[alarm_id] -= 1
            return JSONResponse({"error": "busy"}, status_code=500)
        processed.add(request.headers[DELIVERY_HEADER])
        outside.webhook_received.append({"headers": dict(request.headers), "body": message})
        return JSONResponse({"ok": True})

    @app.post("/hooks/notices")
    async def notices(request: Request) -> JSONResponse:
        outside.notices.append(await request.json())
        return JSONResponse({"ok": True})

    return app


@pytest.fixture(autouse=True)
def workflow_logs_at_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every test runs the service's INFO logging for real (a bad `extra` key would fail the request)."""
    caplog.set_level(logging.INFO, logger="fbjd_workflow")
    return caplog


@pytest.fixture(scope="session")
async def outside_world() -> AsyncIterator[tuple[Outside, str]]:
    outside = Outside()
    async with serve(outside_app(outside)) as url:
        yield outside, url


@pytest.fixture
def outside(outside_world: tuple[Outside, str]) -> Outside:
    return outside_world[0]


def make_settings(database_url: str, jwt_secret: str, outside_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": SecretStr(jwt_secret),
        "scheduler_enabled": False,
        "registry_url": outside_url,
        "bridge_url": outside_url,
        "enforcement_webhook_url": f"{outside_url}/hooks/enforcement",
        "enforcement_webhook_secret": SecretStr(WEBHOOK_SECRET),
        "notification_webhook_url": f"{outside_url}/hooks/notices",
        "max_file_bytes": 256 * 1024,
        "outbox_backoff_seconds": 10.0,
        "registry_timeout_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(database_url: str, jwt_secret: str, outside_world: tuple[Outside, str]) -> Settings:
    return make_settings(database_url, jwt_secret, outside_world[1])


@pytest.fixture(scope="session")
def settings_factory(database_url: str, jwt_secret: str, outside_world: tuple[Outside, str]) -> Callable[..., Settings]:
    return lambda **overrides: make_settings(database_url, jwt_secret, outside_world[1], **overrides)


@pytest.fixture(scope="session")
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@dataclass
class Workflow:
    """The service under test and the two things its scheduler would do."""

    url: str
    app: FastAPI
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]

    async def fire_timers(self) -> int:
        """Fire every due timer of the shared database (in rounds: one call stops after its limit)."""
        fired = 0
        while (now_fired := await process_due_timers(self.sessionmaker, self.settings, limit=200)) > 0:
            fired += now_fired
        return fired

    async def deliver(self, channels: list[str] | None = None) -> DeliveryReport:
        """Deliver everything due (on the given channels only, or all), in rounds of the sender's limit: the
        database is shared by the whole session, so more than one round's worth may be due."""
        transports = self.app.state.transports
        if channels is not None:
            transports = {name: transport for name, transport in transports.items() if name in channels}
        total = DeliveryReport()
        while True:
            report = await deliver_due(self.sessionmaker, self.settings, transports, limit=100)
            total.delivered, total.failed = total.delivered + report.delivered, total.failed + report.failed
            if report.delivered + report.failed < 100:
                return total


@pytest.fixture(scope="session")
async def workflow(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Workflow]:
    app = create_app(settings)
    async with serve(app) as url:
        yield Workflow(url=url, app=app, settings=settings, sessionmaker=sessionmaker)


ApiFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def api(workflow: Workflow, make_token: Callable[..., str]) -> AsyncIterator[ApiFactory]:
    """api(Role.CITY) / api(Role.ENTERPRISE, enterprise_id=...) / api(Role.ENFORCEMENT, subject=...) → a client."""
    clients: list[httpx.AsyncClient] = []

    def factory(role: Role = Role.CITY, **scope: str) -> httpx.AsyncClient:
        token = make_token(role, **scope)
        client = httpx.AsyncClient(
            base_url=f"{workflow.url}/api/workflow", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


def abnormal_record(**overrides: Any) -> dict[str, Any]:
    """A treatment abnormal (治理设施异常) of a fresh enterprise in 沧县 that started 20 minutes ago."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": uuid.uuid4().hex,
        "enterprise_name": f"沧州市测试陶瓷有限公司{random.randint(1000, 9999)}",
        "county": CANGXIAN,
        "industry": "新型建材",
        "production_facility_id": "pf-kiln-1",
        "production_facility_name": "1#烧成窑",
        "treatment_facility_id": "tf-desulf-1",
        "treatment_facility_name": "1#脱硫塔",
        "treatment_point_id": "pt-pump-1",
        "treatment_point_ids": ["pt-pump-1", "pt-pump-2"],
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=20)).isoformat(),
        "ongoing": True,
        "duration_minutes": 20,
        "grade": "general",
        "production_threshold_kw": 12.5,
        "treatment_threshold_kw": 4.0,
        "judgement_minutes": 15,
        "limit_ratio": None,
        "remark": "生产设施运行期间脱硫塔循环泵停运",
        "status": "open",
    }
    record.update(overrides)
    return record


@contextmanager
def later(**delta: float) -> Iterator[datetime]:
    """The clock of the service (and of the timer and outbox functions) moved forward, e.g. later(minutes=31)."""
    moment = datetime.now(UTC) + timedelta(**delta)
    with fixed_clock(lambda: moment):
        yield moment


class Desk:
    """The steps every branch of the process shares, each through the real API and asserted."""

    later = staticmethod(later)

    def __init__(self, api: ApiFactory, workflow: Workflow) -> None:
        self.api, self.workflow = api, workflow
        self.rules = api(Role.SERVICE, subject="rules")
        self.city = api(Role.CITY, subject="city-reviewer-01")

    @staticmethod
    def record(**overrides: Any) -> dict[str, Any]:
        return abnormal_record(**overrides)

    def enterprise(self, record: dict[str, Any]) -> httpx.AsyncClient:
        return self.api(Role.ENTERPRISE, subject=f"ent-{record['ps_id'][:6]}", enterprise_id=record["ps_id"])

    async def post(self, record: dict[str, Any], expected: int = 201) -> dict[str, Any]:
        reply = await self.rules.post("/abnormals", json=record)
        assert reply.status_code == expected, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def read(self, alarm_id: str, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
        reply = await (client or self.city).get(f"/alarms/{alarm_id}")
        assert reply.status_code == 200, reply.text
        alarm: dict[str, Any] = reply.json()
        return alarm

    async def raise_alarm(self, **overrides: Any) -> dict[str, Any]:
        record = self.record(**overrides)
        assert (await self.post(record))["stage"] == "enterprise_check"
        return record

    async def escalate(self, record: dict[str, Any]) -> dict[str, Any]:
        """Let the 30-minute window pass unhandled: the timer escalates the alarm to the city."""
        with later(minutes=31):
            await self.workflow.fire_timers()
        alarm = await self.read(record["id"])
        assert alarm["stage"] == "city_review", alarm["events"]
        return alarm

    async def review(self, record: dict[str, Any], decision: str, opinion: str = "经审核，意见如下") -> dict[str, Any]:
        reply = await self.city.post(f"/alarms/{record['id']}/review", json={"decision": decision, "opinion": opinion})
        assert reply.status_code == 200, reply.text
        alarm: dict[str, Any] = reply.json()
        return alarm

    @staticmethod
    def actions(alarm: dict[str, Any]) -> list[str]:
        return [event["action"] for event in alarm["events"]]


@pytest.fixture
def desk(api: ApiFactory, workflow: Workflow) -> Desk:
    return Desk(api, workflow)
