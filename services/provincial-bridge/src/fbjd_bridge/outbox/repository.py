"""Queries of bridge.outbox and bridge.endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fbjd_bridge.outbox.models import EndpointState, OutboxRow

__all__ = [
    "Backlog",
    "PushState",
    "add",
    "backlog",
    "candidates",
    "dead_letters",
    "endpoint_failed",
    "endpoint_state",
    "endpoint_answered",
    "get",
    "last_sent_bodies",
    "mark_dead",
    "mark_rejected",
    "mark_sent",
    "mark_suspect",
    "push_states",
    "requeue",
    "supersede",
    "try_lock_endpoint",
]

# pg_try_advisory_xact_lock(class, object): one sender per endpoint across every bridge process.
_LOCK_CLASS = 0x62726467  # "brdg"
_LOCK_OBJECT = {"abnormal": 1, "limit": 2}


@dataclass(frozen=True, slots=True)
class Backlog:
    endpoint: str
    pending: int
    oldest_pending_at: datetime | None
    dead: int


@dataclass(frozen=True, slots=True)
class PushState:
    sent_version: int | None
    sent_at: datetime | None
    pending: bool
    dead: bool


async def try_lock_endpoint(session: AsyncSession, endpoint: str) -> bool:
    """Take the endpoint's sender lock for the rest of the transaction; False when another sender holds it."""
    query = select(func.pg_try_advisory_xact_lock(_LOCK_CLASS, _LOCK_OBJECT[endpoint]))
    return bool(await session.scalar(query))


async def add(session: AsyncSession, row: OutboxRow) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, seq: int) -> OutboxRow | None:
    return await session.get(OutboxRow, seq)


async def supersede(session: AsyncSession, record_id: uuid.UUID) -> int:
    """Older versions of a record still waiting (or dead) need not go: the newer version says it all."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.record_id == record_id, OutboxRow.state.in_(("pending", "dead")))
        .values(state="superseded")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def candidates(session: AsyncSession, *, endpoint: str, now: datetime, limit: int) -> Sequence[OutboxRow]:
    """Due pending rows in arrival order, skipping every enterprise whose earlier row is still waiting for its
    retry: an enterprise's rows go strictly in order, other enterprises are not held up."""
    earlier = aliased(OutboxRow)
    blocked = exists().where(
        and_(
            earlier.endpoint == OutboxRow.endpoint,
            earlier.ps_id == OutboxRow.ps_id,
            earlier.state == "pending",
            earlier.seq < OutboxRow.seq,
            earlier.next_attempt_at > now,
        )
    )
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.endpoint == endpoint,
            OutboxRow.state == "pending",
            OutboxRow.next_attempt_at <= now,
            ~blocked,
        )
        .order_by(OutboxRow.seq)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def mark_sent(session: AsyncSession, seqs: Sequence[int], *, at: datetime) -> None:
    """Accepted by the province. A row superseded meanwhile was sent all the same: it says so."""
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.seq.in_(list(seqs)), OutboxRow.state.in_(("pending", "superseded")))
        .values(state="sent", sent_at=at, suspect=False)
    )


async def mark_suspect(session: AsyncSession, seqs: Sequence[int], *, error: str, reply: str | None) -> None:
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.seq.in_(list(seqs)), OutboxRow.state == "pending")
        .values(suspect=True, last_error=error, last_reply=reply)
    )


async def mark_rejected(
    session: AsyncSession, seq: int, *, rejections: int, retry_at: datetime, error: str, reply: str | None
) -> None:
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.seq == seq, OutboxRow.state == "pending")
        .values(rejections=rejections, next_attempt_at=retry_at, last_error=error, last_reply=reply, suspect=True)
    )


async def mark_dead(
    session: AsyncSession, seq: int, *, rejections: int, at: datetime, error: str, reply: str | None
) -> None:
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.seq == seq, OutboxRow.state == "pending")
        .values(state="dead", dead_at=at, rejections=rejections, last_error=error, last_reply=reply)
    )


async def requeue(session: AsyncSession, seq: int, *, at: datetime) -> bool:
    """A dead letter back in the queue (the operator fixed the cause); it goes alone, as a suspect."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.seq == seq, OutboxRow.state == "dead", OutboxRow.body.is_not(None))
        .values(state="pending", suspect=True, rejections=0, next_attempt_at=at, dead_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def dead_letters(session: AsyncSession, *, endpoint: str | None, limit: int) -> Sequence[OutboxRow]:
    query = select(OutboxRow).where(OutboxRow.state == "dead").order_by(OutboxRow.seq.desc()).limit(limit)
    if endpoint is not None:
        query = query.where(OutboxRow.endpoint == endpoint)
    return (await session.scalars(query)).all()


async def endpoint_state(session: AsyncSession, endpoint: str) -> EndpointState:
    state = await session.get(EndpointState, endpoint)
    if state is None:  # the migration creates both rows; a missing one is recreated rather than failing
        state = EndpointState(name=endpoint, consecutive_failures=0)
        session.add(state)
        await session.flush()
    return state


async def endpoint_states(session: AsyncSession) -> Sequence[EndpointState]:
    return (await session.scalars(select(EndpointState).order_by(EndpointState.name))).all()


async def endpoint_answered(
    session: AsyncSession, endpoint: str, *, at: datetime, accepted: bool, error: str | None = None
) -> None:
    """The province answered (it is up): no back-off; an acceptance is a success, a rejection an error."""
    values: dict[str, object] = {"consecutive_failures": 0, "next_attempt_at": None, "last_attempt_at": at}
    values.update({"last_success_at": at} if accepted else {"last_error": error, "last_error_at": at})
    await session.execute(update(EndpointState).where(EndpointState.name == endpoint).values(**values))


async def endpoint_failed(
    session: AsyncSession, endpoint: str, *, at: datetime, failures: int, retry_at: datetime, error: str
) -> None:
    await session.execute(
        update(EndpointState)
        .where(EndpointState.name == endpoint)
        .values(
            consecutive_failures=failures,
            next_attempt_at=retry_at,
            last_attempt_at=at,
            last_error=error,
            last_error_at=at,
        )
    )


async def backlog(session: AsyncSession) -> list[Backlog]:
    query = (
        select(
            OutboxRow.endpoint,
            func.count().filter(OutboxRow.state == "pending"),
            func.min(OutboxRow.created_at).filter(OutboxRow.state == "pending"),
            func.count().filter(OutboxRow.state == "dead"),
        )
        .where(OutboxRow.state.in_(("pending", "dead")))
        .group_by(OutboxRow.endpoint)
    )
    return [Backlog(endpoint, int(p), oldest, int(d)) for endpoint, p, oldest, d in (await session.execute(query))]


async def push_states(session: AsyncSession, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PushState]:
    if not record_ids:
        return {}
    sent = OutboxRow.state == "sent"
    query = (
        select(
            OutboxRow.record_id,
            func.max(OutboxRow.version).filter(sent),
            func.max(OutboxRow.sent_at).filter(sent),
            func.bool_or(OutboxRow.state == "pending"),
            func.bool_or(OutboxRow.state == "dead"),
        )
        .where(OutboxRow.record_id.in_(list(record_ids)))
        .group_by(OutboxRow.record_id)
    )
    return {
        record_id: PushState(version, at, bool(pending), bool(dead))
        for record_id, version, at, pending, dead in await session.execute(query)
    }


async def last_sent_bodies(session: AsyncSession, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OutboxRow]:
    """The latest accepted row of each record: exactly what the province was last sent."""
    if not record_ids:
        return {}
    query = (
        select(OutboxRow)
        .where(OutboxRow.record_id.in_(list(record_ids)), OutboxRow.state == "sent")
        .order_by(OutboxRow.record_id, OutboxRow.version.desc(), OutboxRow.seq.desc())
        .ext(distinct_on(OutboxRow.record_id))
    )
    return {row.record_id: row for row in await session.scalars(query)}
