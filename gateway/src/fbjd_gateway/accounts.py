"""Accounts: password hashing (argon2id), login with lockout, machine clients, the demo admin."""

from __future__ import annotations

import logging
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fbjd_core.auth import Principal, Role
from fbjd_core.errors import Conflict, FbjdError, Unauthorized
from fbjd_core.time import now
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_gateway.models import Account

__all__ = [
    "AccountLocked",
    "authenticate",
    "change_password",
    "create_account",
    "ensure_account",
    "hash_password",
    "list_accounts",
]

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a missing user takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("fbjd-timing-equaliser")


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
    session: AsyncSession, *, username: str, password: str, machine: bool, max_failures: int, lockout: timedelta
) -> tuple[Principal, bool]:
    """Check a login (people) or client credentials (machines); lock the account after repeated failures.

    Returns the principal and whether the password must be changed (an initial password)."""
    account = await session.scalar(select(Account).where(Account.username == username).with_for_update())
    if account is None or account.is_machine != machine or not account.is_active:
        _verify(_DUMMY_HASH, password)
        log.warning("login refused: unknown account", extra={"username": username})
        raise Unauthorized("wrong username or password")
    moment = now()
    if account.locked_until is not None and account.locked_until > moment:
        raise AccountLocked(f"account locked after repeated failures until {account.locked_until.isoformat()}")
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= max_failures:
            account.locked_until = moment + lockout
            account.failed_logins = 0
            log.warning("account locked", extra={"username": username})
        log.warning("login refused: wrong password", extra={"username": username})
        raise Unauthorized("wrong username or password")
    account.failed_logins = 0
    account.locked_until = None
    principal = Principal(
        subject=account.username, role=Role(account.role), county=account.county, enterprise_id=account.enterprise_id
    )
    return principal, account.must_change_password


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
    return account


async def ensure_account(session: AsyncSession, *, username: str, password: str, role: Role, **scope: str) -> None:
    """Create the account, or reset its password when it exists (demo accounts follow the configured password)."""
    account = await session.scalar(select(Account).where(Account.username == username))
    if account is None:
        await create_account(session, username=username, password=password, role=role, **scope)  # type: ignore[arg-type]
    elif not _verify(account.password_hash, password):
        account.password_hash = hash_password(password)
        account.failed_logins = 0
        account.locked_until = None


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
