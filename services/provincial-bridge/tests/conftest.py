"""Fixtures of the bridge's tests: the real service over HTTP on the real test database, the simulated
province (infra's strict simulator) over real HTTP, a sender driven by the test, clients per role, a clock.

The sender is a singleton by design (it drains every row of the outbox), so each test starts with an empty
bridge.outbox and fresh endpoint states — the bridge's own tables, used by no other suite. Records carry
fresh psIds all the same. Back-off and time-outs are shortened by configuration and by moving the clock,
never by long sleeps.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_bridge.app import create_app
from fbjd_bridge.config import Settings
from fbjd_bridge.outbox.sender import OutboxSender
from fbjd_bridge.province.client import ProvinceClient
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.time import fixed_clock
from fbjd_infra.simulators.province import create_app as create_province
from fbjd_infra.simulators.province.app import ProvinceState
from fbjd_testing.plugin import serve
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SettingsFactory = Callable[..., Settings]


def fresh_ps_id() -> str:
    return uuid.uuid4().hex


def abnormal_record(ps_id: str, **overrides: Any) -> dict[str, Any]:
    """A record as the rules service posts it (the contract's JSON)."""
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": ps_id,
        "enterprise_name": "沧州市测试陶瓷有限公司",
        "county": "130902",
        "industry": "新型建材",
        "production_facility_id": str(uuid.uuid4()),
        "production_facility_name": "1#喷雾干燥塔",
        "treatment_facility_id": str(uuid.uuid4()),
        "treatment_facility_name": "布袋除尘器",
        "treatment_point_id": "tp-" + uuid.uuid4().hex[:8],
        "treatment_point_ids": [],
        "start": "2026-03-01T02:00:00Z",
        "end": "2026-03-01T02:30:00Z",
        "ongoing": True,
        "duration_minutes": 30,
        "grade": "general",
        "production_threshold_kw": 10.0,
        "treatment_threshold_kw": 5.5,
        "judgement_minutes": 15,
        "limit_ratio": None,
        "remark": "生产设施运行期间治理设施未运行，持续30分钟，达到判定时长15分钟。",
        "status": "open",
    }
    record.update(overrides)
    if not record["treatment_point_ids"] and record["treatment_point_id"]:
        record["treatment_point_ids"] = [record["treatment_point_id"], record["treatment_point_id"] + "-b"]
    return record


def limit_record(ps_id: str, **overrides: Any) -> dict[str, Any]:
    base = abnormal_record(
        ps_id,
        type="stop_violation",
        treatment_facility_id=None,
        treatment_facility_name=None,
        treatment_point_id=None,
        treatment_point_ids=[],
        treatment_threshold_kw=None,
        judgement_minutes=30,
        remark="红色预警期间1#喷雾干燥塔应停产，功率高于停产阈值10kW，持续30分钟。",
    )
    base.update(overrides)
    return base


RecordFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_record() -> RecordFactory:
    """make_record(ps_id, **overrides): a treatment abnormal record as the rules service posts it."""
    return abnormal_record


@pytest.fixture
def make_limit() -> RecordFactory:
    """make_limit(ps_id, **overrides): a stop violation (limit endpoint) as the rules service posts it."""
    return limit_record


@dataclass
class Province:
    """The simulated province as the tests see it: its switch and what it holds."""

    url: str
    state: ProvinceState
    client: httpx.AsyncClient

    async def switch(self, mode: str, **extra: Any) -> None:
        reply = await self.client.post("/_switch", json={"mode": mode, **extra})
        assert reply.status_code == 200, reply.text

    def records(self, ps_id: str | None = None, endpoint: str | None = None) -> list[dict[str, Any]]:
        return [
            {**held.as_item(), "_reports": held.reports}
            for held in self.state.store.held(endpoint=endpoint, ps_id=ps_id)
        ]

    def arrivals(self, ps_id: str | None = None) -> list[dict[str, Any]]:
        return [item for _endpoint, item, _at in self.state.store.arrivals if ps_id is None or item["psId"] == ps_id]


@dataclass
class Clock:
    """The injectable clock, moved by the test (the bridge's back-off and timestamps follow it)."""

    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def settings_factory(database_url: str, jwt_secret: str) -> SettingsFactory:
    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "jwt_secret": SecretStr(jwt_secret),
            "sender_enabled": False,
            "outbox_batch_size": 50,
            "outbox_poll_seconds": 0.05,
            "backoff_base_seconds": 0.05,
            "backoff_max_seconds": 0.2,
            "province_timeout_seconds": 2.0,
            "invalid_max_attempts": 3,
            "registry_refresh_seconds": 0,
        }
        values.update(overrides)
        return Settings(**values)

    return factory


@pytest.fixture(scope="session")
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url, pool_size=10)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(autouse=True)
async def empty_outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        await session.execute(text("DELETE FROM bridge.outbox"))
        await session.execute(
            text(
                "UPDATE bridge.endpoints SET consecutive_failures = 0, next_attempt_at = NULL, last_attempt_at = NULL,"
                " last_success_at = NULL, last_error = NULL, last_error_at = NULL"
            )
        )


@pytest.fixture
async def province() -> AsyncIterator[Province]:
    app = create_province(hang_s=5.0)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=5) as client:
        yield Province(url, app.state.province, client)
        await client.post("/_switch", json={"mode": "ok"})  # release a request still hanging


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock()
    with fixed_clock(lambda: moving.at):
        yield moving


Api = Callable[..., httpx.AsyncClient]


@dataclass
class Bridge:
    url: str
    settings: Settings
    api: Api
    sessionmaker: async_sessionmaker[AsyncSession]
    senders: list[OutboxSender] = field(default_factory=list)
    clients: list[ProvinceClient] = field(default_factory=list)

    async def post_record(self, record: dict[str, Any]) -> dict[str, Any]:
        reply = await self.api(Role.SERVICE).post("/abnormals", json=record)
        assert reply.status_code == 202, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def sender(self, **overrides: Any) -> OutboxSender:
        """A sender as the lifespan makes one (its own HTTP client to the province), driven by the test."""
        settings = self.settings.model_copy(update=overrides)
        assert settings.province_base_url
        client = ProvinceClient(settings.province_base_url, timeout_s=settings.province_timeout_seconds)
        self.clients.append(client)
        sender = OutboxSender(self.sessionmaker, settings, client, rng=random.Random(1))
        self.senders.append(sender)
        return sender

    async def status(self) -> dict[str, dict[str, Any]]:
        reply = await self.api(Role.CITY).get("/status")
        assert reply.status_code == 200, reply.text
        return {e["endpoint"]: e for e in reply.json()["endpoints"]}

    async def outbox_states(self, record_id: str) -> list[tuple[int, str]]:
        async with self.sessionmaker() as session:
            rows = await session.execute(
                text("SELECT version, state FROM bridge.outbox WHERE record_id = :id ORDER BY seq"),
                {"id": uuid.UUID(record_id)},
            )
            return [(int(v), str(s)) for v, s in rows]


Eventually = Callable[..., Awaitable[None]]


@pytest.fixture
def eventually() -> Eventually:
    return wait_until


async def wait_until(check: Callable[[], Awaitable[bool]], *, timeout: float = 5.0, step: float = 0.02) -> None:
    """Poll `check` until it holds (for what a background task or a back-off makes true soon)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


@asynccontextmanager
async def serve_bridge(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], make_token: Callable[..., str]
) -> AsyncIterator[Bridge]:
    """The bridge over real HTTP with these settings; `api(role)` gives a client with a token of that role."""
    clients: list[httpx.AsyncClient] = []
    async with serve(create_app(settings)) as url:

        def api(role: Role = Role.SERVICE, **scope: str) -> httpx.AsyncClient:
            token = make_token(role, **scope)
            client = httpx.AsyncClient(
                base_url=f"{url}/api/bridge", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            clients.append(client)
            return client

        bridge = Bridge(url, settings, api, sessionmaker)
        try:
            yield bridge
        finally:
            for client in clients:
                await client.aclose()
            for province_client in bridge.clients:
                await province_client.aclose()


BridgeFactory = Callable[..., AbstractAsyncContextManager[Bridge]]


@pytest.fixture
def bridge_factory(
    settings_factory: SettingsFactory,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_token: Callable[..., str],
) -> BridgeFactory:
    """bridge_factory(**settings) → an async context manager serving the bridge with those settings."""

    def factory(**overrides: Any) -> AbstractAsyncContextManager[Bridge]:
        return serve_bridge(settings_factory(**overrides), sessionmaker, make_token)

    return factory


@pytest.fixture
async def bridge(province: Province, bridge_factory: BridgeFactory) -> AsyncIterator[Bridge]:
    """The bridge pointed at the simulated province, its own sender off (tests drive `bridge.sender()`)."""
    async with bridge_factory(province_base_url=province.url) as served:
        yield served
