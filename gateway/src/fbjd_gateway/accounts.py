"""Accounts: password hashing (argon2id), login with lockout, machine clients, the demo admin."""

from __future__ import annotations

import logging
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fbjd_core.auth import Principal, Role
from fbjd_core.errors import Conflict, FbjdError, NotFound, Unauthorized
from fbjd_core.time import now
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_gateway import audit
from fbjd_gateway.models import Account

__all__ = [
    "AccountLocked",
    "authenticate",
    "change_password",
    "create_account",
    "ensure_account",
    "hash_password",
    "list_accounts",
    "refreshable",
    "reset_password",
    "update_account",
]

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a missing user takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("fbjd-timing-equaliser")


MAX_USERNAME = 64


class AccountLocked(FbjdError):
    code, status = "account_locked", 423


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    machine: bool,
    max_failures: int,
    lockout: timedelta,
    ip: str | None = None,
) -> tuple[Principal, bool]:
    """Check a login (people) or client credentials (machines); lock the account after repeated failures.

    Every outcome is a line of the audit log (the caller commits it, also when the login is refused).
    Returns the principal and whether the password must be changed (an initial password)."""
    detail = {"ip": ip, "grant": "client_credentials" if machine else "password"}
    if "\x00" in username or len(username) > MAX_USERNAME:  # no account is named so (PostgreSQL stores no NUL)
        shown = username.replace("\x00", "\\0")[:MAX_USERNAME]
        await audit.append(
            session, kind="login.failure", actor=shown, subject=shown, detail={**detail, "reason": "bad name"}
        )
        raise Unauthorized("wrong username or password")
    account = await session.scalar(select(Account).where(Account.username == username).with_for_update())
    if account is None or account.is_machine != machine or not account.is_active:
        _verify(_DUMMY_HASH, password)
        log.warning("login refused: unknown account", extra={"username": username})
        await audit.append(
            session, kind="login.failure", actor=username, subject=username, detail={**detail, "reason": "unknown"}
        )
        raise Unauthorized("wrong username or password")
    moment = now()
    if account.locked_until is not None and account.locked_until > moment:
        await audit.append(session, kind="login.locked", actor=username, subject=username, detail=detail)
        raise AccountLocked(f"account locked after repeated failures until {account.locked_until.isoformat()}")
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        kind, reason = "login.failure", "wrong password"
        if account.failed_logins >= max_failures:
            account.locked_until = moment + lockout
            account.failed_logins = 0
            kind, reason = "login.lockout", f"{max_failures} failures: locked until {account.locked_until.isoformat()}"
            log.warning("account locked", extra={"username": username})
        log.warning("login refused: wrong password", extra={"username": username})
        await audit.append(session, kind=kind, actor=username, subject=username, detail={**detail, "reason": reason})
        raise Unauthorized("wrong username or password")
    account.failed_logins = 0
    account.locked_until = None
    await audit.append(session, kind="login.success", actor=username, subject=username, detail=detail)
    return _principal(account), account.must_change_password


def _principal(account: Account) -> Principal:
    return Principal(
        subject=account.username, role=Role(account.role), county=account.county, enterprise_id=account.enterprise_id
    )


async def refreshable(session: AsyncSession, *, username: str) -> tuple[Principal, bool]:
    """The account behind a token being refreshed, as it is now: refused when gone or deactivated."""
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None or not account.is_active:
        raise Unauthorized("the account of this token no longer exists or is deactivated: log in again")
    return _principal(account), account.must_change_password


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: Role,
    county: str | None = None,
    enterprise_id: str | None = None,
    machine: bool = False,
    must_change_password: bool = False,
    actor: str = "system",
) -> Account:
    if await session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Conflict(f"account {username!r} exists")
    account = Account(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        county=county,
        enterprise_id=enterprise_id,
        is_machine=machine,
        must_change_password=must_change_password,
    )
    session.add(account)
    await session.flush()
    await audit.append(
        session,
        kind="account.create",
        actor=actor,
        subject=username,
        detail={"role": role.value, "county": county, "enterprise_id": enterprise_id, "machine": machine},
    )
    return account


async def ensure_account(session: AsyncSession, *, username: str, password: str, role: Role, **scope: str) -> None:
    """Create the account, or reset its password when it exists (demo accounts follow the configured password)."""
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None:
        await create_account(session, username=username, password=password, role=role, actor="system:demo", **scope)  # type: ignore[arg-type]
    elif not _verify(account.password_hash, password):
        account.password_hash = hash_password(password)
        account.failed_logins = 0
        account.locked_until = None
        await audit.append(
            session, kind="password.reset", actor="system:demo", subject=username, detail={"reason": "demo start"}
        )


async def list_accounts(session: AsyncSession) -> list[Account]:
    return list(await session.scalars(select(Account).order_by(Account.username)))


async def change_password(session: AsyncSession, *, username: str, old: str, new: str) -> None:
    account = await session.scalar(select(Account).where(Account.username == username).with_for_update())
    if account is None or not _verify(account.password_hash, old):
        raise Unauthorized("the current password is wrong")
    if old == new:
        raise Conflict("the new password must differ from the current one")
    account.password_hash = hash_password(new)
    account.must_change_password = False
    await audit.append(session, kind="password.change", actor=username, subject=username)


async def _account(session: AsyncSession, username: str) -> Account:
    account = await session.scalar(select(Account).where(Account.username == username).with_for_update())
    if account is None:
        raise NotFound(f"no account {username!r}")
    return account


async def update_account(session: AsyncSession, *, username: str, changes: dict[str, object], actor: str) -> Account:
    """Change role, scope (county, enterprise_id) or whether the account is active; audited as before → after."""
    account = await _account(session, username)
    before = {name: getattr(account, name) for name in changes}
    for name, value in changes.items():
        setattr(account, name, value)
    if changes.get("is_active") is True:
        account.failed_logins, account.locked_until = 0, None
    await audit.append(
        session, kind="account.update", actor=actor, subject=username, detail={"before": before, "after": changes}
    )
    return account


async def reset_password(session: AsyncSession, *, username: str, password: str, actor: str) -> None:
    """An administrator sets a new initial password: the person must change it at the next login."""
    account = await _account(session, username)
    account.password_hash = hash_password(password)
    account.must_change_password = not account.is_machine
    account.failed_logins, account.locked_until = 0, None
    await audit.append(session, kind="password.reset", actor=actor, subject=username)
