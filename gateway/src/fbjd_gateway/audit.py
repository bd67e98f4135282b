"""The security audit log (安全审计日志, GB/T 22239 level 2): logins, token refreshes, accounts, passwords.

Every line is chained to the one before it: `hash = sha256(prev_hash + canonical JSON of the line)`, the first
line's `prev_hash` being 64 zeros. Changing, inserting or removing a line in the middle breaks the chain at that
line, which `verify` reports. Appends are serialised by a transaction-scoped advisory lock, so two concurrent
requests never chain to the same predecessor; the lock is held until the request's transaction commits.

Kinds: login.success, login.failure, login.lockout (the failure that locks the account), login.locked (an
attempt while locked), token.refresh, account.create, account.update (role, scope, active), password.change,
password.reset.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fbjd_core.time import now
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_gateway.models import AuditEntry

__all__ = [
    "GENESIS",
    "KINDS",
    "Verification",
    "append",
    "entry_hash",
    "query",
    "verify",
]

GENESIS = "0" * 64
KINDS = frozenset(
    {
        "login.success",
        "login.failure",
        "login.lockout",
        "login.locked",
        "token.refresh",
        "account.create",
        "account.update",
        "password.change",
        "password.reset",
    }
)
# pg_advisory_xact_lock key of the gateway's one chain (any fixed bigint; this is "fbjd-aud" in ASCII).
_LOCK_KEY = 0x66626A642D617564
_BATCH = 1000


def _canonical(at: datetime, kind: str, actor: str, subject: str, detail: dict[str, Any]) -> str:
    line = {
        "at": at.astimezone(UTC).isoformat(),
        "kind": kind,
        "actor": actor,
        "subject": subject,
        "detail": detail,
    }
    return json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, *, at: datetime, kind: str, actor: str, subject: str, detail: dict[str, Any]) -> str:
    payload = prev_hash + _canonical(at, kind, actor, subject, detail)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


async def append(
    session: AsyncSession, *, kind: str, actor: str, subject: str, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Add one line to the chain in the caller's transaction (committed with it, or not at all)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    prev = last or GENESIS
    # Microseconds are what timestamptz keeps, so the hash of a line read back is the one computed here.
    at = now().astimezone(UTC)
    fields: dict[str, Any] = {"kind": kind, "actor": actor[:96], "subject": subject[:64], "detail": detail or {}}
    entry = AuditEntry(at=at, prev_hash=prev, hash=entry_hash(prev, at=at, **fields), **fields)
    session.add(entry)
    await session.flush()
    return entry


async def query(
    session: AsyncSession,
    *,
    kind: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Lines matching every given filter, newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if kind is not None:
        statement = statement.where(AuditEntry.kind == kind)
    if subject is not None:
        statement = statement.where(AuditEntry.subject == subject)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    return list(await session.scalars(statement))


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken: int | None  # seq of the first line whose link or content does not match


async def verify(session: AsyncSession) -> Verification:
    """Walk the whole chain in order and recompute every hash."""
    prev, checked, after = GENESIS, 0, 0
    while True:
        rows = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(_BATCH)
            )
        )
        for row in rows:
            checked += 1
            expected = entry_hash(
                prev, at=row.at, kind=row.kind, actor=row.actor, subject=row.subject, detail=row.detail
            )
            if row.prev_hash != prev or row.hash != expected:
                return Verification(ok=False, checked=checked, first_broken=row.seq)
            prev = row.hash
        if len(rows) < _BATCH:
            return Verification(ok=True, checked=checked, first_broken=None)
        after = rows[-1].seq
