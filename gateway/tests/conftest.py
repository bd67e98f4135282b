"""Shared fixtures of the gateway's security tests: the gateway over real HTTP with chosen settings, accounts
made through the real account code, and an admin's headers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.settings import asyncpg_dsn
from fbjd_gateway.accounts import create_account
from fbjd_gateway.app import create_app
from fbjd_gateway.config import Settings
from fbjd_testing.plugin import serve
from pydantic import SecretStr

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def gateway_with(database_url: str, jwt_secret: str) -> GatewayFactory:
    """`async with gateway_with(jwt_ttl_minutes=30) as client:` — a gateway on the test database."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {
            "database_url": database_url,
            "jwt_secret": SecretStr(jwt_secret),
            "registry_url": "http://127.0.0.1:9",
            "max_failed_logins": 3,
        }
        values.update(overrides)
        async with serve(create_app(Settings(**values))) as url, httpx.AsyncClient(base_url=url) as client:
            yield client

    return start


@pytest.fixture
async def auth_gateway(gateway_with: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_with() as client:
        yield client


AccountFactory = Callable[..., Any]


@pytest.fixture
def account(database_url: str) -> AccountFactory:
    """`await account(Role.CITY, "Password-2026")` → a fresh username (no initial-password flag)."""

    async def make(role: Role, password: str, *, machine: bool = False, **scope: str) -> str:
        engine = make_engine(database_url)
        username = f"{role.value}-{uuid.uuid4().hex[:8]}"
        async with make_sessionmaker(engine).begin() as session:
            await create_account(
                session,
                username=username,
                password=password,
                role=role,
                machine=machine,
                actor="test",
                county=scope.get("county"),
                enterprise_id=scope.get("enterprise_id"),
            )
        await engine.dispose()
        return username

    return make


@pytest.fixture
def admin(make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(Role.ADMIN, subject='security-admin')}"}


@pytest.fixture
async def sql(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the test database, as an operator with psql would have."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        yield conn
    finally:
        await conn.close()
