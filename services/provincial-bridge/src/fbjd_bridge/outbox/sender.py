"""The sender: drains the outbox to the province's two endpoints, in order per enterprise, in batches.

Per endpoint, one round:

1. take the endpoint's sender lock (an advisory lock held by a transaction of its own for the round: one
   sender per endpoint across all bridge processes, so arrays reach the province in outbox order);
2. while the endpoint is backing off after a failure, do nothing;
3. choose a batch of due rows (an enterprise waits behind its own row that is waiting for a retry);
4. POST the JSON array, then write the outcome, one transaction per enterprise (no transaction spans two
   enterprises):
   * accepted → rows sent, endpoint's last success;
   * province unavailable (no answer, time-out, 5xx, `success: false` naming no field) → the endpoint backs
     off exponentially with jitter (capped at `backoff_max_seconds`), rows untouched: an outage of any
     length loses nothing, and the backlog drains in order when it ends;
   * records rejected (`success: false` naming a field): a batch of several → every row becomes a suspect and
     is retried alone; a row alone → retried after a back-off, dead-lettered after `invalid_max_attempts`
     rejections. The province is up: the other enterprises go on.

A crash between the POST and the commits leaves the rows pending: they are sent again, with the same
exTimeStart and the same or a later exTimeEnd, and the province merges them into the record it holds
(outbox/service.py explains why this is the idempotency the interface allows).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence

from fbjd_core.time import now
from fbjd_core.wakeup import Wakeup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings
from fbjd_bridge.errors import ProvinceRejected, ProvinceUnavailable
from fbjd_bridge.outbox import repository
from fbjd_bridge.outbox.models import OutboxRow
from fbjd_bridge.outbox.service import backoff_delay, by_enterprise, choose_batch
from fbjd_bridge.province.client import ProvinceClient
from fbjd_bridge.province.payload import Endpoint

__all__ = ["OutboxSender"]

log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        client: ProvinceClient,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._client = client
        self._rng = rng or random.Random()
        self._bell = Wakeup()

    def wake(self) -> None:
        """A record arrived: drain now rather than at the next poll."""
        self._bell.ring()

    async def run(self) -> None:
        """Drain, then sleep until woken or the poll interval passes; for ever (the lifespan cancels it)."""
        while True:
            try:
                await self.drain_until_idle()
            except Exception:  # noqa: BLE001 - the database or a bug: logged, and the next poll tries again
                log.exception("outbox drain failed")
            await self._bell.wait(self._settings.outbox_poll_seconds)

    async def drain_until_idle(self, *, max_rounds: int = 10_000) -> int:
        """Rounds until nothing is due (or every due thing waits for a back-off); the rows handled."""
        handled = 0
        for _ in range(max_rounds):
            step = await self.drain_once()
            if step == 0:
                break
            handled += step
        return handled

    async def drain_once(self) -> int:
        handled = 0
        for endpoint in Endpoint:
            handled += await self.drain_endpoint(endpoint)
        return handled

    async def drain_endpoint(self, endpoint: Endpoint) -> int:
        """One batch to one endpoint; the number of rows whose state moved on (0: nothing due, or failing)."""
        async with self._sessionmaker() as lock, lock.begin():
            if not await repository.try_lock_endpoint(lock, endpoint.value):
                return 0
            batch = await self._next_batch(endpoint)
            if not batch:
                return 0
            try:
                await self._client.push(endpoint, [row.body for row in batch if row.body is not None])
            except ProvinceUnavailable as exc:
                await self._unavailable(endpoint, batch, exc)
                return 0
            except ProvinceRejected as exc:
                await self._rejected(endpoint, batch, exc)
                return len(batch)
            await self._accepted(endpoint, batch)
            return len(batch)

    async def _next_batch(self, endpoint: Endpoint) -> list[OutboxRow]:
        at = now()
        async with self._sessionmaker() as session:
            state = await repository.endpoint_state(session, endpoint.value)
            if state.next_attempt_at is not None and state.next_attempt_at > at:
                return []
            limit = self._settings.outbox_batch_size
            rows = await repository.candidates(session, endpoint=endpoint.value, now=at, limit=limit)
            await session.commit()
        return choose_batch(rows, limit=limit)

    async def _accepted(self, endpoint: Endpoint, batch: Sequence[OutboxRow]) -> None:
        at = now()
        for _ps_id, seqs in by_enterprise(batch):
            async with self._sessionmaker() as session, session.begin():
                await repository.mark_sent(session, seqs, at=at)
        async with self._sessionmaker() as session, session.begin():
            await repository.endpoint_answered(session, endpoint.value, at=at, accepted=True)
        log.info("pushed to province", extra={"endpoint": endpoint.value, "rows": len(batch)})

    async def _unavailable(self, endpoint: Endpoint, batch: Sequence[OutboxRow], exc: ProvinceUnavailable) -> None:
        at = now()
        async with self._sessionmaker() as session, session.begin():
            state = await repository.endpoint_state(session, endpoint.value)
            failures = state.consecutive_failures + 1
            delay = backoff_delay(
                failures,
                base_s=self._settings.backoff_base_seconds,
                max_s=self._settings.backoff_max_seconds,
                rng=self._rng,
            )
            await repository.endpoint_failed(
                session, endpoint.value, at=at, failures=failures, retry_at=at + delay, error=exc.message
            )
        log.warning(
            "province unavailable",
            extra={
                "endpoint": endpoint.value,
                "rows": len(batch),
                "failures": failures,
                "retry_in_s": round(delay.total_seconds(), 3),
                "error": exc.message,
            },
        )

    async def _rejected(self, endpoint: Endpoint, batch: Sequence[OutboxRow], exc: ProvinceRejected) -> None:
        at = now()
        if len(batch) > 1:
            for _ps_id, seqs in by_enterprise(batch):
                async with self._sessionmaker() as session, session.begin():
                    await repository.mark_suspect(session, seqs, error=exc.message, reply=exc.reply)
            log.warning(
                "batch rejected, retrying its records one by one",
                extra={"endpoint": endpoint.value, "rows": len(batch), "error": exc.message},
            )
        else:
            await self._rejected_alone(batch[0], exc)
        async with self._sessionmaker() as session, session.begin():
            await repository.endpoint_answered(session, endpoint.value, at=at, accepted=False, error=exc.message)

    async def _rejected_alone(self, row: OutboxRow, exc: ProvinceRejected) -> None:
        at = now()
        rejections = row.rejections + 1
        async with self._sessionmaker() as session, session.begin():
            if rejections >= self._settings.invalid_max_attempts:
                await repository.mark_dead(
                    session, row.seq, rejections=rejections, at=at, error=exc.message, reply=exc.reply
                )
                log.error(
                    "record dead-lettered",
                    extra={
                        "record_id": str(row.record_id),
                        "version": row.version,
                        "ps_id": row.ps_id,
                        "error": exc.message,
                    },
                )
                return
            delay = backoff_delay(
                rejections,
                base_s=self._settings.backoff_base_seconds,
                max_s=self._settings.backoff_max_seconds,
                rng=self._rng,
            )
            await repository.mark_rejected(
                session, row.seq, rejections=rejections, retry_at=at + delay, error=exc.message, reply=exc.reply
            )
        log.warning(
            "record rejected",
            extra={"record_id": str(row.record_id), "rejections": rejections, "error": exc.message},
        )
