"""Fixtures of the registry's tests: the real service over HTTP on the test database, clients per role,
and small factories that create test data through the API itself.

The database is shared by the whole test session, so every test makes its own enterprises (random psIds,
credit codes and MNs) and asserts only about them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.time import now
from fbjd_registry.app import create_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import XINHUA, credit_code, enterprise_form
from fbjd_testing.plugin import serve
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

CANGXIAN, RENQIU = "130921", "130982"


def enterprise_payload(**overrides: Any) -> dict[str, Any]:
    """A full enterprise form, planned dates and operator included (what the acceptance needs)."""
    county = overrides.pop("county_code", XINHUA)
    planned = {
        "operator_name": "河北环测科技有限公司",
        "operator_phone": "0317-2025555",
        "planned_install_date": "2026-03-01",
        "planned_network_date": "2026-04-01",
        "planned_acceptance_date": "2026-05-01",
    }
    return enterprise_form(county, **{**planned, **overrides})


@pytest.fixture(autouse=True)
def registry_logs_at_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every test runs the service's INFO logging for real (a bad `extra` key would fail the request)."""
    caplog.set_level(logging.INFO, logger="fbjd_registry")
    return caplog


@pytest.fixture(scope="session")
def settings(database_url: str, jwt_secret: str) -> Settings:
    return Settings(database_url=database_url, jwt_secret=SecretStr(jwt_secret))


@pytest.fixture(scope="session")
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    maker = make_sessionmaker(engine)
    async with maker.begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=now()))
    yield maker
    await engine.dispose()


@pytest.fixture(scope="session")
async def registry_url(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[str]:
    """The service over real HTTP, once `sessionmaker` has put 沧州市 and its counties in place."""
    del sessionmaker
    async with serve(create_app(settings)) as url:
        yield url


ApiFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def api(registry_url: str, make_token: Callable[..., str]) -> AsyncIterator[ApiFactory]:
    """api(Role.CITY) / api(Role.COUNTY, county=...) / api(Role.ENTERPRISE, enterprise_id=...) → a client."""
    clients: list[httpx.AsyncClient] = []

    def factory(role: Role = Role.CITY, **scope: str) -> httpx.AsyncClient:
        token = make_token(role, **scope)
        client = httpx.AsyncClient(
            base_url=f"{registry_url}/api/registry", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def city(api: ApiFactory) -> httpx.AsyncClient:
    return api(Role.CITY)


class Builder:
    """Creates registry data through the API, asserting each step succeeded."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = await self.client.post(path, json=body)
        assert reply.status_code == 201, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def enterprise(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/enterprises", enterprise_payload(**overrides))

    async def facility(self, ps_id: str, name: str, kind: str = "production", **extra: Any) -> dict[str, Any]:
        return await self._post(f"/enterprises/{ps_id}/facilities", {"name": name, "kind": kind, **extra})

    async def point(self, ps_id: str, facility: dict[str, Any] | None, name: str, **extra: Any) -> dict[str, Any]:
        role = extra.pop("role", None) or ("total_line" if facility is None else facility["kind"])
        body = {"facility_id": None if facility is None else facility["id"], "name": name, "role": role}
        body.setdefault("rated_kw", 75.0)
        body.update({"threshold_kw": 10.0, **extra})
        return await self._post(f"/enterprises/{ps_id}/points", body)

    async def link(self, ps_id: str, production: dict[str, Any], treatment: dict[str, Any]) -> dict[str, Any]:
        body = {"production_facility_id": production["id"], "treatment_facility_id": treatment["id"]}
        return await self._post(f"/enterprises/{ps_id}/links", body)

    async def networked(self, ps_id: str) -> None:
        """The enterprise's terminals installed (2026-03-05) and networked (2026-04-02), as the application says."""
        for stage, day in (("installing", "2026-03-05"), ("networked", "2026-04-02")):
            reply = await self.client.post(f"/enterprises/{ps_id}/lifecycle", json={"stage": stage, "on": day})
            assert reply.status_code == 200, reply.text


@pytest.fixture
def build(city: httpx.AsyncClient) -> Builder:
    return Builder(city)


PayloadFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_payload() -> PayloadFactory:
    """enterprise_payload(**overrides): a complete, valid 基础信息表 with fresh psId and credit code."""
    return enterprise_payload


@pytest.fixture
def make_credit_code() -> Callable[..., str]:
    return credit_code
