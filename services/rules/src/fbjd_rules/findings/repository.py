"""Queries of rules.findings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.findings.models import Finding

__all__ = [
    "add",
    "begun_between",
    "get",
    "listing",
    "offline_spells",
    "open_for_subject",
    "open_transmission_after",
    "transmission_of_period",
]


async def get(session: AsyncSession, finding_id: uuid.UUID) -> Finding | None:
    return await session.get(Finding, finding_id)


async def add(session: AsyncSession, finding: Finding) -> None:
    session.add(finding)
    await session.flush()


async def open_for_subject(session: AsyncSession, *, subject: str, kind: str) -> Sequence[Finding]:
    query = select(Finding).where(Finding.subject == subject, Finding.kind == kind, Finding.status == "open")
    return (await session.scalars(query)).all()


async def offline_spells(session: AsyncSession, *, mn: str, start: datetime, end: datetime) -> Sequence[Finding]:
    """Offline findings of `mn` (open or resolved) that began inside [start, end]: the spells data stored for
    that window may have filled."""
    query = (
        select(Finding)
        .where(
            Finding.subject == mn,
            Finding.kind == "terminal_offline",
            Finding.status.in_(("open", "resolved")),
            Finding.start_at >= start,
            Finding.start_at <= end,
        )
        .order_by(Finding.start_at)
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def begun_between(
    session: AsyncSession, *, ps_id: str, kinds: Sequence[str], start: datetime, end: datetime
) -> Sequence[Finding]:
    """The enterprise's findings of `kinds`, not withdrawn, that began inside [start, end)."""
    query = (
        select(Finding)
        .where(
            Finding.ps_id == ps_id,
            Finding.kind.in_(kinds),
            Finding.status.in_(("open", "resolved")),
            Finding.start_at >= start,
            Finding.start_at < end,
        )
        .order_by(Finding.start_at)
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def transmission_of_period(session: AsyncSession, *, ps_id: str, period: str) -> Sequence[Finding]:
    """The enterprise's transmission-rate findings of one period (a CST day or month), not withdrawn."""
    query = (
        select(Finding)
        .where(
            Finding.ps_id == ps_id,
            Finding.kind == "transmission_low",
            Finding.status != "withdrawn",
            Finding.detail["period"].astext == period,
        )
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def open_transmission_after(
    session: AsyncSession, *, ps_id: str, after: datetime
) -> list[tuple[datetime, datetime, str]]:
    """(start, end, period) of the periods whose transmission-rate findings are open and end after `after`: the
    periods late data from `after` on can change."""
    query = (
        select(Finding.start_at, Finding.end_at, Finding.detail["period"].astext)
        .where(
            Finding.ps_id == ps_id,
            Finding.kind == "transmission_low",
            Finding.status == "open",
            Finding.end_at > after,
        )
        .distinct()
    )
    return [(start, end, period) for start, end, period in (await session.execute(query)).all() if end is not None]


async def listing(
    session: AsyncSession,
    *,
    ps_id: str | None,
    county: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[Finding]:
    conditions = []
    for column, value in (
        (Finding.ps_id, ps_id),
        (Finding.county, county),
        (Finding.kind, kind),
        (Finding.status, status),
    ):
        if value is not None:
            conditions.append(column == value)
    query = select(Finding).where(*conditions).order_by(Finding.start_at.desc(), Finding.id).limit(limit).offset(offset)
    return (await session.scalars(query)).all()
