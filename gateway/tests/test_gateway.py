"""The gateway: tokens for people and machine clients, lockout, role checks, routing over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fbjd_core.auth import Role, decode_token
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_gateway.accounts import create_account
from fbjd_gateway.app import create_app
from fbjd_gateway.config import Settings
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_testing.plugin import serve
from pydantic import SecretStr


@pytest.fixture
async def registry_url(database_url: str, jwt_secret: str) -> AsyncIterator[str]:
    settings = RegistrySettings(database_url=database_url, jwt_secret=SecretStr(jwt_secret))
    async with serve(create_registry_app(settings)) as url:
        yield url


@pytest.fixture
async def gateway(database_url: str, jwt_secret: str, registry_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(jwt_secret),
        registry_url=registry_url,
        bridge_url="http://127.0.0.1:9",  # nothing listens: an unreachable service
        max_failed_logins=3,
    )
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def _account(database_url: str, role: Role, password: str, *, machine: bool = False, **scope: str) -> str:
    engine = make_engine(database_url)
    username = f"{role.value}-{uuid.uuid4().hex[:8]}"
    async with make_sessionmaker(engine).begin() as session:
        await create_account(session, username=username, password=password, role=role, machine=machine, **scope)
    await engine.dispose()
    return username


async def test_a_person_logs_in_with_the_password_flow_and_gets_a_token_with_its_scope(
    gateway: httpx.AsyncClient, database_url: str, jwt_secret: str
) -> None:
    ps_id = uuid.uuid4().hex
    username = await _account(database_url, Role.ENTERPRISE, "Correct-horse-1", enterprise_id=ps_id)
    reply = await gateway.post("/api/auth/token", data={"username": username, "password": "Correct-horse-1"})
    assert reply.status_code == 200, reply.text
    principal = decode_token(reply.json()["access_token"], secret=jwt_secret)
    assert (principal.subject, principal.role, principal.enterprise_id) == (username, Role.ENTERPRISE, ps_id)


async def test_a_machine_client_gets_a_token_by_client_credentials_but_not_by_the_password_flow(
    gateway: httpx.AsyncClient, database_url: str
) -> None:
    client_id = await _account(database_url, Role.ENFORCEMENT, "machine-secret-9", machine=True)
    ok = await gateway.post(
        "/api/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "machine-secret-9"},
    )
    assert ok.status_code == 200 and ok.json()["role"] == "enforcement"
    refused = await gateway.post("/api/auth/token", data={"username": client_id, "password": "machine-secret-9"})
    assert refused.status_code == 401


async def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(
    gateway: httpx.AsyncClient, database_url: str
) -> None:
    username = await _account(database_url, Role.CITY, "Right-password-1")
    for _ in range(3):
        wrong = await gateway.post("/api/auth/token", data={"username": username, "password": "wrong"})
        assert wrong.status_code == 401
    locked = await gateway.post("/api/auth/token", data={"username": username, "password": "Right-password-1"})
    assert locked.status_code == 423
    assert locked.json()["error"]["code"] == "account_locked"


async def test_an_unknown_grant_type_is_a_clear_400(gateway: httpx.AsyncClient) -> None:
    reply = await gateway.post("/api/auth/token", data={"grant_type": "implicit"})
    assert reply.status_code == 400
    assert "implicit" in reply.json()["error"]["message"]


async def test_no_token_is_401(gateway: httpx.AsyncClient) -> None:
    reply = await gateway.get("/api/registry/anything")
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"


async def test_a_forged_token_is_401(gateway: httpx.AsyncClient) -> None:
    reply = await gateway.get("/api/registry/anything", headers={"Authorization": "Bearer not.a.token"})
    assert reply.status_code == 401


async def test_wrong_role_is_403_at_the_gateway(gateway: httpx.AsyncClient, make_token: object) -> None:
    token = make_token(Role.ENTERPRISE, enterprise_id=uuid.uuid4().hex)  # type: ignore[operator]
    reply = await gateway.get("/api/bridge/outbox", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 403


async def test_the_enforcement_client_reaches_only_the_task_api(gateway: httpx.AsyncClient, make_token: object) -> None:
    token = make_token(Role.ENFORCEMENT)  # type: ignore[operator]
    reply = await gateway.get("/api/registry/enterprises", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 403


async def test_an_allowed_request_is_routed_to_the_service_over_http(
    gateway: httpx.AsyncClient, make_token: object
) -> None:
    token = make_token(Role.CITY)  # type: ignore[operator]
    reply = await gateway.get("/api/registry/health", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "service": "registry"}


async def test_an_unreachable_service_is_a_clear_503(gateway: httpx.AsyncClient, make_token: object) -> None:
    token = make_token(Role.CITY)  # type: ignore[operator]
    reply = await gateway.get("/api/bridge/outbox", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "service_unavailable"


async def test_an_unknown_service_is_404(gateway: httpx.AsyncClient, make_token: object) -> None:
    token = make_token(Role.CITY)  # type: ignore[operator]
    reply = await gateway.get("/api/nowhere/x", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 404


async def test_the_admin_creates_a_county_account_whose_initial_password_must_be_changed(
    gateway: httpx.AsyncClient, make_token: object
) -> None:
    admin = {"Authorization": f"Bearer {make_token(Role.ADMIN)}"}  # type: ignore[operator]
    username = f"county-{uuid.uuid4().hex[:6]}"
    body = {"username": username, "password": "Initial-Pass-2026", "role": "county", "county": "130921"}
    created = await gateway.post("/api/auth/accounts", json=body, headers=admin)
    assert created.status_code == 201, created.text
    login = await gateway.post("/api/auth/token", data={"username": username, "password": "Initial-Pass-2026"})
    assert login.json()["must_change_password"] is True
    own = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await gateway.get("/api/auth/me", headers=own)
    assert me.json() == {"subject": username, "role": "county", "county": "130921", "enterprise_id": None}
    changed = await gateway.post(
        "/api/auth/password",
        json={"old_password": "Initial-Pass-2026", "new_password": "Second-Pass-2026!"},
        headers=own,
    )
    assert changed.status_code == 204
    again = await gateway.post("/api/auth/token", data={"username": username, "password": "Second-Pass-2026!"})
    assert again.json()["must_change_password"] is False


@pytest.mark.parametrize(
    ("password", "reason"),
    [("Short-1", "至少"), ("alllowercaseletters", "三类"), ("Pwd-county-xx-2026", "用户名")],
)
async def test_a_weak_password_is_refused_with_the_rule_it_breaks(
    gateway: httpx.AsyncClient, make_token: object, password: str, reason: str
) -> None:
    admin = {"Authorization": f"Bearer {make_token(Role.ADMIN)}"}  # type: ignore[operator]
    body = {"username": "county-xx", "password": password, "role": "county", "county": "130921"}
    reply = await gateway.post("/api/auth/accounts", json=body, headers=admin)
    assert reply.status_code == 422
    assert reason in reply.json()["error"]["message"]


async def test_only_the_admin_creates_accounts(gateway: httpx.AsyncClient, make_token: object) -> None:
    city = {"Authorization": f"Bearer {make_token(Role.CITY)}"}  # type: ignore[operator]
    body = {"username": "sneaky", "password": "Initial-Pass-2026", "role": "admin"}
    reply = await gateway.post("/api/auth/accounts", json=body, headers=city)
    assert reply.status_code == 403
