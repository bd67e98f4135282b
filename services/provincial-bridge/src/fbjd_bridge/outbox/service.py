"""The outbox's rules, apart from HTTP: enqueueing a record version, choosing a batch, back-off, status.

Idempotency without an id at the province: the province's push interface has no record id. A record is
identified there by its point and its start: (psId, treatmentAmmeterId, exTimeStart) for a treatment
abnormal, (psId, productorEquipId, exTimeStart) for the limit endpoint; the province merges consecutive
reports of one point. The bridge therefore (1) always sends a record with the same exTimeStart (the record's
start, which is part of its deterministic id), (2) sends only the newest version (an arrival supersedes the
waiting older ones), and (3) marks rows sent in the transactions that follow the province's reply. A crash or
a lost reply between the send and that commit re-sends the same (psId, point, exTimeStart) with the same or a
later end, which the province merges into the record it already holds: one record, its true end.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.errors import BridgeNotFound, PayloadError
from fbjd_bridge.outbox import repository
from fbjd_bridge.outbox.models import OutboxRow
from fbjd_bridge.outbox.schemas import DeadLetterOut, EndpointStatusOut, StatusOut
from fbjd_bridge.province.payload import PATHS, Endpoint, endpoint_of, to_province
from fbjd_bridge.records.schemas import AbnormalIn

__all__ = [
    "EnqueueOutcome",
    "backoff_delay",
    "by_enterprise",
    "choose_batch",
    "dead_letters",
    "enqueue",
    "requeue",
    "status",
]

log = logging.getLogger(__name__)

EnqueueOutcome = Literal["queued", "not_pushed", "unmappable"]


async def enqueue(session: AsyncSession, record: AbnormalIn, *, at: datetime) -> EnqueueOutcome:
    """Write the outbox row for a new version, in the caller's transaction: "queued", "not_pushed" (withdrawn:
    the interface cannot take a record back, so a withdrawn record is not pushed and what is waiting of it is
    dropped) or "unmappable" (a dead letter at once, with the reason)."""
    superseded = await repository.supersede(session, record.id)
    if record.status == "withdrawn":
        log.info("record withdrawn", extra={"record_id": str(record.id), "superseded": superseded})
        return "not_pushed"
    row = OutboxRow(
        record_id=record.id,
        version=record.version,
        ps_id=record.ps_id,
        endpoint=endpoint_of(record.type).value,
        state="pending",
        suspect=False,
        rejections=0,
        created_at=at,
        next_attempt_at=at,
    )
    try:
        _, row.body = to_province(record)
    except PayloadError as exc:
        row.state, row.dead_at, row.last_error = "dead", at, f"无法生成省平台报文：{exc.message}"
        await repository.add(session, row)
        log.warning("record cannot be mapped", extra={"record_id": str(record.id), "error": exc.message})
        return "unmappable"
    await repository.add(session, row)
    return "queued"


def choose_batch(rows: Sequence[OutboxRow], *, limit: int) -> list[OutboxRow]:
    """The next array to send, from due rows in arrival order. A suspect row (of a batch the province
    rejected) travels alone, so the invalid one is found; the rows of its enterprise wait behind it."""
    batch: list[OutboxRow] = []
    held: set[str] = set()
    for row in rows:
        if row.ps_id in held:
            continue
        if row.suspect:
            if not batch:
                return [row]
            held.add(row.ps_id)
            continue
        batch.append(row)
        if len(batch) >= limit:
            break
    return batch


def by_enterprise(rows: Sequence[OutboxRow]) -> Iterator[tuple[str, list[int]]]:
    """The rows' seqs per enterprise: each enterprise's outcome is committed in a transaction of its own."""
    for ps_id, group in groupby(sorted(rows, key=lambda r: (r.ps_id, r.seq)), key=lambda r: r.ps_id):
        yield ps_id, [row.seq for row in group]


def backoff_delay(failures: int, *, base_s: float, max_s: float, rng: random.Random) -> timedelta:
    """Exponential back-off with "equal jitter": half the doubled delay fixed, half random, capped at max_s —
    bridge processes retrying after one outage do not all knock at the same instant."""
    ceiling = min(max_s, base_s * 2.0 ** min(max(failures - 1, 0), 30))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


async def status(session: AsyncSession, *, base_url: str | None, sender_running: bool) -> StatusOut:
    backlogs = {b.endpoint: b for b in await repository.backlog(session)}
    endpoints = []
    for endpoint in Endpoint:
        state = await repository.endpoint_state(session, endpoint.value)
        backlog = backlogs.get(endpoint.value, repository.Backlog(endpoint.value, 0, None, 0))
        endpoints.append(
            EndpointStatusOut(
                endpoint=endpoint.value,
                path=PATHS[endpoint],
                backlog=backlog.pending,
                oldest_pending_at=backlog.oldest_pending_at,
                dead_letters=backlog.dead,
                last_success_at=state.last_success_at,
                last_attempt_at=state.last_attempt_at,
                last_error=state.last_error,
                last_error_at=state.last_error_at,
                consecutive_failures=state.consecutive_failures,
                next_attempt_at=state.next_attempt_at,
            )
        )
    return StatusOut(province_base_url=base_url, sender_running=sender_running, endpoints=endpoints)


def _dead_letter(row: OutboxRow) -> DeadLetterOut:
    return DeadLetterOut(
        seq=row.seq,
        record_id=row.record_id,
        version=row.version,
        ps_id=row.ps_id,
        endpoint=row.endpoint,
        body=row.body,
        rejections=row.rejections,
        error=row.last_error,
        reply=row.last_reply,
        created_at=row.created_at,
        dead_at=row.dead_at,
    )


async def dead_letters(session: AsyncSession, *, endpoint: Endpoint | None, limit: int) -> list[DeadLetterOut]:
    rows = await repository.dead_letters(session, endpoint=None if endpoint is None else endpoint.value, limit=limit)
    return [_dead_letter(row) for row in rows]


async def requeue(session: AsyncSession, seq: int, *, at: datetime) -> DeadLetterOut:
    row = await repository.get(session, seq)
    if row is None or row.state != "dead":
        raise BridgeNotFound(f"死信 {seq} 不存在（或已重新排队、已被新版本取代）")
    if row.body is None:
        raise PayloadError("该记录无法生成省平台报文，重试无用；规则服务发来新版本后会自动替换")
    await repository.requeue(session, seq, at=at)
    await session.refresh(row)
    log.info("dead letter requeued", extra={"seq": seq, "record_id": str(row.record_id)})
    return _dead_letter(row)
