"""The evaluation worker: picks enterprises with pending changes and evaluates each, a few at a time.

Notifications only mark an enterprise dirty (in the database) and wake the worker, so ingest gets its 202 at
once and a burst of notifications for one enterprise coalesces into one evaluation. The worker also polls, so
work marked by another process, or left by a crash, is picked up. An enterprise is evaluated under an advisory
lock (one evaluator at a time across processes); a failed evaluation (registry down) is retried later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from fbjd_core.time import now
from fbjd_core.wakeup import Wakeup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_rules.errors import EnterpriseUnknown
from fbjd_rules.evaluation import repository
from fbjd_rules.evaluation.service import Evaluator, Outcome

__all__ = ["EvaluationWorker"]

log = logging.getLogger(__name__)

BATCH = 100


class EvaluationWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        evaluator: Evaluator,
        *,
        concurrency: int = 4,
        poll_s: float = 5.0,
        retry_s: float = 30.0,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._evaluator = evaluator
        self._limit = asyncio.Semaphore(concurrency)
        self._poll_s = poll_s
        self._retry = timedelta(seconds=retry_s)
        self._on_change = on_change
        self._bell = Wakeup()
        self.evaluations = 0

    def wake(self) -> None:
        self._bell.ring()

    async def run(self) -> None:
        while True:
            if await self.drain() == 0:
                await self._bell.wait(self._poll_s)

    async def drain(self) -> int:
        """Evaluate every enterprise pending now; returns how many were tried."""
        async with self._sessionmaker() as session:
            ps_ids = await repository.dirty_enterprises(session, now=now(), limit=BATCH)
        await asyncio.gather(*(self.evaluate_one(ps_id) for ps_id in ps_ids))
        return len(ps_ids)

    async def evaluate_one(self, ps_id: str) -> Outcome | None:
        async with self._limit:
            try:
                outcome = await self._evaluate(ps_id)
            except EnterpriseUnknown as exc:
                log.warning("enterprise unknown to the registry", extra={"ps_id": ps_id, "error": exc.message})
                await self._failed(ps_id, exc.message, retry=timedelta(hours=1))
                return None
            except Exception as exc:  # noqa: BLE001 - the worker must survive any one enterprise's failure
                log.exception("evaluation failed", extra={"ps_id": ps_id})
                await self._failed(ps_id, repr(exc), retry=self._retry)
                return None
        if outcome is not None and outcome.changed:
            self._on_change()
        return outcome

    async def _evaluate(self, ps_id: str) -> Outcome | None:
        async with self._sessionmaker() as session, session.begin():
            if not await repository.try_lock(session, ps_id):
                return None
            state = await repository.get(session, ps_id)
            if state is None or state.dirty_from is None:
                return None
            seq, moment = state.dirty_seq, now()
            outcome = await self._evaluator.run(session, ps_id=ps_id, dirty_from=state.dirty_from, now=moment)
            await repository.finish(
                session, ps_id=ps_id, seq=seq, evaluated_from=outcome.since, county=outcome.county, now=moment
            )
        self.evaluations += 1
        return outcome

    async def _failed(self, ps_id: str, error: str, *, retry: timedelta) -> None:
        moment = now()
        async with self._sessionmaker() as session, session.begin():
            await repository.fail(session, ps_id=ps_id, error=error, retry_at=moment + retry, now=moment)
