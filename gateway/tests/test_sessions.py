"""Sessions and the front door: the idle time-out and its refresh, no default account outside demo mode,
security headers, and which paths pass without a token."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Principal, Role, decode_token, issue_token
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import fixed_clock
from fbjd_infra.migrate import migrate_all
from jose import jwt

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
AccountFactory = Callable[..., Any]

PASSWORD = "Session-Pass-2026"


def _claims(token: str) -> dict[str, int]:
    claims: dict[str, int] = jwt.get_unverified_claims(token)
    return claims


async def _login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


async def test_a_token_lives_the_idle_time_out_and_a_refresh_gives_a_fresh_one_for_the_same_principal(
    gateway_with: GatewayFactory, account: AccountFactory, jwt_secret: str
) -> None:
    ps_id = uuid.uuid4().hex
    username = await account(Role.ENTERPRISE, PASSWORD, enterprise_id=ps_id)
    async with gateway_with(jwt_ttl_minutes=30) as gw:
        login = await _login(gw, username)
        assert login.json()["expires_in"] == 1800
        old = login.json()["access_token"]
        assert _claims(old)["exp"] - _claims(old)["iat"] == 1800
        ten_minutes_on = datetime.now(UTC) + timedelta(minutes=10)
        with fixed_clock(lambda: ten_minutes_on):
            fresh = await gw.post("/api/auth/refresh", headers={"Authorization": f"Bearer {old}"})
    assert fresh.status_code == 200, fresh.text
    new = fresh.json()["access_token"]
    assert decode_token(new, secret=jwt_secret) == decode_token(old, secret=jwt_secret)
    assert decode_token(new, secret=jwt_secret) == Principal(username, Role.ENTERPRISE, enterprise_id=ps_id)
    assert _claims(new)["exp"] - _claims(old)["exp"] >= 599
    assert fresh.json()["expires_in"] == 1800


async def test_a_session_left_idle_past_the_time_out_cannot_be_refreshed(
    auth_gateway: httpx.AsyncClient, account: AccountFactory, jwt_secret: str
) -> None:
    username = await account(Role.CITY, PASSWORD)
    idle = issue_token(
        Principal(username, Role.CITY),
        secret=jwt_secret,
        ttl=timedelta(minutes=30),
        issued_at=datetime.now(UTC) - timedelta(minutes=31),
    )
    reply = await auth_gateway.post("/api/auth/refresh", headers={"Authorization": f"Bearer {idle}"})
    assert reply.status_code == 401
    assert "expired" in reply.json()["error"]["message"]


async def test_a_deactivated_account_s_token_is_not_refreshed(
    auth_gateway: httpx.AsyncClient, account: AccountFactory, admin: dict[str, str]
) -> None:
    username = await account(Role.CITY, PASSWORD)
    token = (await _login(auth_gateway, username)).json()["access_token"]
    off = await auth_gateway.patch(f"/api/auth/accounts/{username}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    reply = await auth_gateway.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401
    assert (await _login(auth_gateway, username)).status_code == 401


async def test_a_refresh_carries_the_role_the_admin_gave_since(
    auth_gateway: httpx.AsyncClient, account: AccountFactory, admin: dict[str, str], jwt_secret: str
) -> None:
    username = await account(Role.COUNTY, PASSWORD, county="130921")
    token = (await _login(auth_gateway, username)).json()["access_token"]
    promoted = await auth_gateway.patch(
        f"/api/auth/accounts/{username}", json={"role": "city", "county": None}, headers=admin
    )
    assert promoted.status_code == 200, promoted.text
    fresh = await auth_gateway.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    assert decode_token(fresh.json()["access_token"], secret=jwt_secret) == Principal(username, Role.CITY)


async def test_an_enterprise_account_without_its_psid_is_refused(
    auth_gateway: httpx.AsyncClient, account: AccountFactory, admin: dict[str, str]
) -> None:
    username = await account(Role.CITY, PASSWORD)
    reply = await auth_gateway.patch(f"/api/auth/accounts/{username}", json={"role": "enterprise"}, headers=admin)
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "scope_required"
    assert (await _login(auth_gateway, username)).json()["role"] == "city"  # nothing was saved


async def test_a_token_without_an_account_behind_it_is_not_refreshed(
    auth_gateway: httpx.AsyncClient, make_token: Callable[..., str]
) -> None:
    token = make_token(Role.CITY, subject=f"ghost-{uuid.uuid4().hex[:6]}")
    reply = await auth_gateway.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401


# -- no default account outside demo mode ---------------------------------------------------------------------


@pytest.fixture
async def bare_database(database_url: str) -> AsyncIterator[str]:
    """A database of its own with only the gateway's migrations: nothing but what the migrations put there."""
    name = f"fbjd_gw_{uuid.uuid4().hex[:8]}"
    server = database_url.rpartition("/")[0] + "/postgres"
    admin_conn = await asyncpg.connect(asyncpg_dsn(server))
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url.rpartition("/")[0] + f"/{name}"
    try:
        await asyncio.to_thread(migrate_all, url, packages=("fbjd_gateway",))
        yield url
    finally:
        await admin_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin_conn.close()


async def _usernames(url: str) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [row["username"] for row in await conn.fetch("SELECT username FROM gateway.accounts")]
    finally:
        await conn.close()


async def test_there_is_no_default_account_outside_demo_mode(gateway_with: GatewayFactory, bare_database: str) -> None:
    """The migrations create no account, and a gateway started with an admin password but not in demo mode
    creates none either; only demo mode (`fbjd run`) makes `admin`, and says so in the audit log."""
    assert await _usernames(bare_database) == []
    async with gateway_with(database_url=bare_database, demo=False, admin_password="Demo-Admin-2026") as gw:
        assert (await _login(gw, "admin", "Demo-Admin-2026")).status_code == 401
    assert await _usernames(bare_database) == []
    async with gateway_with(database_url=bare_database, demo=True, admin_password="Demo-Admin-2026") as gw:
        login = await _login(gw, "admin", "Demo-Admin-2026")
        assert login.status_code == 200 and login.json()["role"] == "admin"
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = await gw.get("/api/auth/audit", params={"kind": "account.create"}, headers=admin)
    assert [(line["subject"], line["actor"]) for line in created.json()] == [("admin", "system:demo")]
    assert await _usernames(bare_database) == ["admin"]


def _bootstrap(database_url: str, username: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fbjd_gateway.bootstrap", username],
        input=password + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
        timeout=60,
        check=False,
    )


async def test_a_deployment_creates_its_first_admin_once_with_a_password_to_change(
    gateway_with: GatewayFactory, bare_database: str
) -> None:
    weak = await asyncio.to_thread(_bootstrap, bare_database, "chief", "short")
    assert weak.returncode == 1 and "至少" in weak.stderr
    first = await asyncio.to_thread(_bootstrap, bare_database, "chief", "First-Admin-2026")
    assert first.returncode == 0, first.stderr
    second = await asyncio.to_thread(_bootstrap, bare_database, "deputy", "Second-Admin-2026")
    assert second.returncode == 1 and "exists already" in second.stderr
    assert await _usernames(bare_database) == ["chief"]
    async with gateway_with(database_url=bare_database) as gw:
        login = await _login(gw, "chief", "First-Admin-2026")
        assert (login.json()["role"], login.json()["must_change_password"]) == ("admin", True)
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = await gw.get("/api/auth/audit", params={"kind": "account.create"}, headers=admin)
    assert [(line["subject"], line["actor"]) for line in created.json()] == [("chief", "system:bootstrap")]


# -- the front door ---------------------------------------------------------------------------------------------


async def test_the_gateway_answers_with_security_headers_and_hsts_only_behind_tls(
    gateway_with: GatewayFactory,
) -> None:
    async with gateway_with() as plain:
        reply = await plain.get("/api/auth/health")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert "strict-transport-security" not in reply.headers
    async with gateway_with(behind_tls=True) as tls:
        refused = await tls.get("/api/registry/enterprises")
    assert refused.status_code == 401  # error answers carry them too
    assert refused.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    "path", ["/api/registry/enterprises/docs", "/api/registry/x/openapi.json", "/api/workflow/alarms/health"]
)
async def test_only_a_service_s_own_health_and_openapi_pages_pass_without_a_token(
    auth_gateway: httpx.AsyncClient, path: str
) -> None:
    reply = await auth_gateway.get(path)
    assert reply.status_code == 401
