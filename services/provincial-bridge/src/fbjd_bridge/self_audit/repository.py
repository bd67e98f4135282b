"""Reads and writes of bridge.self_audit_reports: claim a run, finish it, find the latest report, keep a few."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.self_audit.models import StoredSelfAudit

__all__ = ["claim_run", "fail_run", "finish_run", "latest_done", "load_report", "running_since", "stale_before"]

# pg_advisory_xact_lock(class, object): the claim of a run is made by one transaction at a time.
_LOCK_CLASS, _LOCK_OBJECT = 0x5E1F, 1


async def running_since(session: AsyncSession, *, days: int, stale_before: datetime) -> datetime | None:
    """When the run under way (in any process) started; None when none is (a run older than `stale_before`
    died with its process and no longer counts)."""
    started: datetime | None = await session.scalar(
        select(func.max(StoredSelfAudit.started_at)).where(
            StoredSelfAudit.window_days == days,
            StoredSelfAudit.state == "running",
            StoredSelfAudit.started_at >= stale_before,
        )
    )
    return started


async def claim_run(
    session: AsyncSession, *, days: int, trigger: str, at: datetime, stale_before: datetime
) -> int | None:
    """A new `running` row, or None when another run of this window is under way."""
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, _LOCK_OBJECT)))
    if await running_since(session, days=days, stale_before=stale_before) is not None:
        return None
    row = StoredSelfAudit(window_days=days, state="running", trigger=trigger, started_at=at)
    session.add(row)
    await session.flush()
    return row.id


async def finish_run(
    session: AsyncSession, run_id: int, *, report: dict[str, Any], generated_at: datetime, enterprises: int, keep: int
) -> None:
    """Store the report and drop what is no longer needed: all but the last `keep` reports of this window."""
    await session.execute(
        update(StoredSelfAudit)
        .where(StoredSelfAudit.id == run_id)
        .values(state="done", report=report, generated_at=generated_at, enterprises=enterprises)
    )
    row = await session.get_one(StoredSelfAudit, run_id)
    kept = (
        select(StoredSelfAudit.id)
        .where(StoredSelfAudit.window_days == row.window_days, StoredSelfAudit.state == "done")
        .order_by(StoredSelfAudit.generated_at.desc())
        .limit(keep)
    )
    await session.execute(
        delete(StoredSelfAudit).where(
            StoredSelfAudit.window_days == row.window_days,
            StoredSelfAudit.state != "running",
            StoredSelfAudit.id.not_in(kept),
        )
    )


async def fail_run(session: AsyncSession, run_id: int, *, error: str, at: datetime) -> None:
    await session.execute(
        update(StoredSelfAudit)
        .where(StoredSelfAudit.id == run_id)
        .values(state="failed", error=error[:2000], generated_at=at)
    )


async def latest_done(session: AsyncSession, *, days: int) -> tuple[int, datetime] | None:
    """The id and generated_at of the newest report of this window (without its JSON)."""
    row = (
        await session.execute(
            select(StoredSelfAudit.id, StoredSelfAudit.generated_at)
            .where(StoredSelfAudit.window_days == days, StoredSelfAudit.state == "done")
            .order_by(StoredSelfAudit.generated_at.desc())
            .limit(1)
        )
    ).first()
    if row is None or row.generated_at is None:
        return None
    return int(row.id), row.generated_at


async def load_report(session: AsyncSession, run_id: int) -> dict[str, Any] | None:
    report: dict[str, Any] | None = await session.scalar(
        select(StoredSelfAudit.report).where(StoredSelfAudit.id == run_id)
    )
    return report


def stale_before(at: datetime, hours: float) -> datetime:
    return at - timedelta(hours=hours)
