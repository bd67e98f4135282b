"""The registry push job: the registry sync's changes sent to a configured target, acknowledged by a cursor.

Each round (every `registry_push_interval_seconds`, an asyncio task of the lifespan):

1. unless the target is backing off after a failure, refresh the bridge's view of the registry (the same
   refresh the pull API does, at most every `registry_refresh_seconds`; a registry that does not answer is a
   failed round, retried with back-off);
2. take the pusher's advisory lock (one pusher across every bridge process) and the target's row;
3. POST the items after the target's cursor, at most `registry_push_batch_size`, in seq order;
4. on `{"success": true}` move the cursor to the batch's last seq in the same transaction and go on with the
   next batch; on anything else leave the cursor, back off exponentially with equal jitter (up to
   `backoff_max_seconds`) and record the error. Nothing is ever skipped.

A crash (or a lost reply) between the target's acceptance and our commit leaves the cursor where it was: the
same items are pushed again, and the target upserts them by kind and id (service.py) — the same result.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings
from fbjd_bridge.errors import ProvinceUnavailable, RegistryUnavailable
from fbjd_bridge.outbox.service import backoff_delay
from fbjd_bridge.registry_push import repository
from fbjd_bridge.registry_push.client import RegistryPushClient
from fbjd_bridge.registry_push.service import mark_accepted, mark_failed, push_body
from fbjd_bridge.registry_sync import service as registry_sync
from fbjd_bridge.registry_sync.client import RegistryClient

__all__ = ["RegistryPusher"]

log = logging.getLogger(__name__)


class RegistryPusher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        registry: RegistryClient,
        client: RegistryPushClient,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._registry = registry
        self._client = client
        self._rng = rng or random.Random()

    @property
    def target(self) -> str:
        return self._client.url

    async def run(self) -> None:
        """A round, then sleep; for ever (the lifespan cancels it)."""
        while True:
            try:
                await self.push_until_idle()
            except Exception:  # noqa: BLE001 - the database or a bug: logged, and the next round tries again
                log.exception("registry push round failed")
            await asyncio.sleep(self._settings.registry_push_interval_seconds)

    async def push_until_idle(self, *, max_batches: int = 10_000) -> int:
        """Refresh, then push batches until none is left or the target fails; the items acknowledged."""
        if not await self._refresh():
            return 0
        pushed = 0
        for _ in range(max_batches):
            step = await self.push_once()
            if step == 0:
                break
            pushed += step
        return pushed

    async def _refresh(self) -> bool:
        async with self._sessionmaker() as session, session.begin():
            state = await repository.read_state(session, self.target)
            if state is not None and state.next_attempt_at is not None and state.next_attempt_at > now():
                return False
        try:
            async with self._sessionmaker() as session, session.begin():
                await registry_sync.refresh(
                    session, self._registry, at=now(), min_interval_s=self._settings.registry_refresh_seconds
                )
        except RegistryUnavailable as exc:
            await self._failed_without_push(exc.message)
            return False
        return True

    async def push_once(self) -> int:
        """One batch to the target; the number of items it acknowledged (0: nothing due, busy, or failing)."""
        async with self._sessionmaker() as session, session.begin():
            if not await repository.try_lock(session):
                return 0
            state = await repository.state_for_update(session, self.target)
            at = now()
            if state.next_attempt_at is not None and state.next_attempt_at > at:
                return 0
            limit = self._settings.registry_push_batch_size
            rows = list(await repository.items_after(session, state.cursor, limit=limit + 1))
            if not rows:
                return 0
            batch = rows[:limit]
            try:
                await self._client.push(push_body(batch, since=state.cursor, more=len(rows) > limit, at=at))
            except ProvinceUnavailable as exc:
                delay = self._delay(state.consecutive_failures + 1)
                mark_failed(state, at=at, retry_at=at + delay, error=exc.message)
                log.warning(
                    "registry push failed",
                    extra={"target": self.target, "failures": state.consecutive_failures, "error": exc.message},
                )
                return 0
            mark_accepted(state, at=now(), cursor=batch[-1].seq)
        log.info("registry pushed", extra={"target": self.target, "items": len(batch), "cursor": batch[-1].seq})
        return len(batch)

    async def _failed_without_push(self, error: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            state = await repository.state_for_update(session, self.target)
            at = now()
            mark_failed(state, at=at, retry_at=at + self._delay(state.consecutive_failures + 1), error=error)
        log.warning("registry push: registry unreadable", extra={"target": self.target, "error": error})

    def _delay(self, failures: int) -> timedelta:
        return backoff_delay(
            failures,
            base_s=self._settings.backoff_base_seconds,
            max_s=self._settings.backoff_max_seconds,
            rng=self._rng,
        )
