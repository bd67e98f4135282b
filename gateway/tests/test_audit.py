"""The security audit log: what happens to an account leaves hash-chained lines the admin can read, and a line
changed or removed behind the application's back is found by the verification."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role


async def _lines(client: httpx.AsyncClient, admin: dict[str, str], **params: str) -> list[dict[str, Any]]:
    reply = await client.get("/api/auth/audit", params=params, headers=admin)
    assert reply.status_code == 200, reply.text
    lines: list[dict[str, Any]] = reply.json()
    return lines


async def _verify(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    reply = await client.get("/api/auth/audit/verify", headers=admin)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


async def test_a_county_account_s_life_is_written_down_line_by_line(
    auth_gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """Created by the admin, three wrong passwords (the third locks it), a try while locked, a reset by the
    admin, a login, a refresh, a password change, a move to another county: ten lines, newest first."""
    gw, username = auth_gateway, f"county-{uuid.uuid4().hex[:6]}"
    body = {"username": username, "password": "Initial-Pass-2026", "role": "county", "county": "130921"}
    assert (await gw.post("/api/auth/accounts", json=body, headers=admin)).status_code == 201
    for _ in range(3):
        assert (await _login(gw, username, "wrong-Password-1")).status_code == 401
    assert (await _login(gw, username, "Initial-Pass-2026")).status_code == 423
    reset = await gw.post(
        f"/api/auth/accounts/{username}/password", json={"password": "Reset-Pass-2026"}, headers=admin
    )
    assert reset.status_code == 204, reset.text
    login = await _login(gw, username, "Reset-Pass-2026")
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    own = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await gw.post("/api/auth/refresh", headers=own)).status_code == 200
    change = {"old_password": "Reset-Pass-2026", "new_password": "Own-Choice-2026!"}
    assert (await gw.post("/api/auth/password", json=change, headers=own)).status_code == 204
    moved = await gw.patch(f"/api/auth/accounts/{username}", json={"county": "130982"}, headers=admin)
    assert moved.status_code == 200 and moved.json()["county"] == "130982"

    lines = await _lines(gw, admin, subject=username)
    assert [line["kind"] for line in lines] == [
        "account.update",
        "password.change",
        "token.refresh",
        "login.success",
        "password.reset",
        "login.locked",
        "login.lockout",
        "login.failure",
        "login.failure",
        "account.create",
    ]
    assert lines[0]["actor"] == "admin:security-admin"
    assert lines[0]["detail"] == {"before": {"county": "130921"}, "after": {"county": "130982"}}
    assert lines[-1]["detail"]["role"] == "county" and lines[-1]["actor"] == "admin:security-admin"
    assert lines[6]["detail"]["reason"].startswith("3 failures: locked until")
    assert all(line["detail"]["ip"] == "127.0.0.1" for line in lines if line["kind"].startswith("login."))
    lockouts = await _lines(gw, admin, subject=username, kind="login.lockout")
    assert [line["seq"] for line in lockouts] == [lines[6]["seq"]]
    recent = await _lines(gw, admin, subject=username, since=lines[3]["at"])
    assert [line["kind"] for line in recent] == [line["kind"] for line in lines[:4]]
    assert [line["seq"] for line in await _lines(gw, admin, subject=username, limit="2")] == [
        lines[0]["seq"],
        lines[1]["seq"],
    ]


async def test_a_login_for_an_unknown_name_is_written_down_too(
    auth_gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    name = f"nobody-{uuid.uuid4().hex[:6]}"
    assert (await _login(auth_gateway, name, "Any-Password-1")).status_code == 401
    [line] = await _lines(auth_gateway, admin, subject=name)
    assert (line["kind"], line["detail"]["reason"]) == ("login.failure", "unknown")


async def test_a_login_with_a_name_no_account_can_have_is_refused_and_written_down(
    auth_gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    tag = uuid.uuid4().hex[:6]
    for name in (f"adm\x00in-{tag}", f"{tag}-" + "x" * 200):
        reply = await _login(auth_gateway, name, "Any-Password-1")
        assert reply.status_code == 401, reply.text
    nul = await _lines(auth_gateway, admin, subject=f"adm\\0in-{tag}")
    long = await _lines(auth_gateway, admin, subject=(f"{tag}-" + "x" * 200)[:64])
    assert [(line["kind"], line["detail"]["reason"]) for line in nul + long] == [("login.failure", "bad name")] * 2


async def test_each_line_is_chained_to_the_one_before_it(
    auth_gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    name = f"nobody-{uuid.uuid4().hex[:6]}"
    for _ in range(3):
        await _login(auth_gateway, name, "Any-Password-1")
    lines = await _lines(auth_gateway, admin, subject=name)
    assert lines[0]["prev_hash"] == lines[1]["hash"] and lines[1]["prev_hash"] == lines[2]["hash"]
    assert len({line["hash"] for line in lines}) == 3


async def test_a_line_changed_or_removed_by_sql_is_found_at_that_line(
    auth_gateway: httpx.AsyncClient, admin: dict[str, str], sql: asyncpg.Connection
) -> None:
    """Someone with the database owner's rights switches the append-only trigger off, turns a failed login into
    a success, later deletes a line: the verification names the first line that no longer fits."""
    name = f"nobody-{uuid.uuid4().hex[:6]}"
    for _ in range(3):
        await _login(auth_gateway, name, "Any-Password-1")
    first, middle, last = reversed(await _lines(auth_gateway, admin, subject=name))
    before = await _verify(auth_gateway, admin)
    total = await sql.fetchval("SELECT count(*) FROM gateway.audit_log")
    assert before == {"ok": True, "checked": total, "first_broken": None}

    original = await sql.fetchrow("SELECT * FROM gateway.audit_log WHERE seq = $1", middle["seq"])
    await sql.execute("ALTER TABLE gateway.audit_log DISABLE TRIGGER audit_log_append_only")
    try:
        await sql.execute("UPDATE gateway.audit_log SET kind = 'login.success' WHERE seq = $1", middle["seq"])
        tampered = await _verify(auth_gateway, admin)
        assert tampered["ok"] is False and tampered["first_broken"] == middle["seq"]
        assert tampered["checked"] < total

        await sql.execute("UPDATE gateway.audit_log SET kind = $2 WHERE seq = $1", middle["seq"], original["kind"])
        assert (await _verify(auth_gateway, admin))["ok"] is True

        await sql.execute("DELETE FROM gateway.audit_log WHERE seq = $1", middle["seq"])
        removed = await _verify(auth_gateway, admin)
        assert removed["ok"] is False and removed["first_broken"] == last["seq"]
    finally:
        await sql.execute(
            "INSERT INTO gateway.audit_log OVERRIDING SYSTEM VALUE "
            "SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, $8 WHERE NOT EXISTS "
            "(SELECT 1 FROM gateway.audit_log WHERE seq = $1)",
            *(original[c] for c in ("seq", "at", "kind", "actor", "subject")),
            json.dumps(json.loads(original["detail"])),
            original["prev_hash"],
            original["hash"],
        )
        await sql.execute("ALTER TABLE gateway.audit_log ENABLE TRIGGER audit_log_append_only")
    assert (await _verify(auth_gateway, admin))["ok"] is True
    assert first["seq"] < middle["seq"] < last["seq"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE gateway.audit_log SET actor = 'someone else'",
        "DELETE FROM gateway.audit_log",
        "TRUNCATE gateway.audit_log",
    ],
)
async def test_the_database_refuses_to_change_or_remove_audit_lines(
    auth_gateway: httpx.AsyncClient, sql: asyncpg.Connection, statement: str
) -> None:
    await _login(auth_gateway, f"nobody-{uuid.uuid4().hex[:6]}", "Any-Password-1")  # at least one line exists
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await sql.execute(statement)


@pytest.mark.parametrize("path", ["/api/auth/audit", "/api/auth/audit/verify"])
@pytest.mark.parametrize("role", [Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.SERVICE])
async def test_only_the_admin_reads_the_audit_log(
    auth_gateway: httpx.AsyncClient, make_token: Callable[..., str], path: str, role: Role
) -> None:
    token = make_token(role, county="130921", enterprise_id="a" * 32)
    reply = await auth_gateway.get(path, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 403
