"""`/api/auth/audit`: reading the security audit log and checking its hash chain (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fbjd_core.auth import Principal, Role, require_roles
from fbjd_core.db import SessionDep
from pydantic import AwareDatetime, BaseModel

from fbjd_gateway import audit

__all__ = ["router"]

router = APIRouter(prefix="/api/auth/audit", tags=["audit"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    actor: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    first_broken: int | None


@router.get("", response_model=list[AuditEntryOut])
async def entries(
    session: SessionDep,
    _admin: Admin,
    kind: Annotated[str | None, Query(description="e.g. login.failure, account.update")] = None,
    subject: Annotated[str | None, Query(description="the account concerned")] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="lines at or after this moment (ISO 8601, with offset)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryOut]:
    """Audit lines, newest first."""
    rows = await audit.query(session, kind=kind, subject=subject, since=since, limit=limit)
    return [
        AuditEntryOut(
            seq=r.seq,
            at=r.at,
            kind=r.kind,
            actor=r.actor,
            subject=r.subject,
            detail=r.detail,
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in rows
    ]


@router.get("/verify", response_model=VerificationOut)
async def verify(session: SessionDep, _admin: Admin) -> VerificationOut:
    """Recompute the whole chain: `ok` false and `first_broken` (a `seq`) when a line was changed, inserted or
    removed after it was written."""
    result = await audit.verify(session)
    return VerificationOut(ok=result.ok, checked=result.checked, first_broken=result.first_broken)
