"""Firing due timers: one transaction per timer — claim it (FOR UPDATE SKIP LOCKED), run its effect, mark
it fired, commit. A crash before the commit leaves it unfired (it fires after the restart); the commit makes
the effect and `fired_at` visible together, so it never fires twice. A timer whose effect fails is postponed
in a fresh transaction and tried again later, its error kept."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from fbjd_core.time import now
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.config import Settings
from fbjd_workflow.errors import WorkflowError
from fbjd_workflow.process.timeouts import fire
from fbjd_workflow.timers import repository

__all__ = ["RETRY_AFTER", "process_due_timers"]

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=1)


async def _fire_one(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> bool | None:
    """True: one timer fired; False: one failed (postponed); None: nothing is due."""
    timer_id: uuid.UUID | None = None
    try:
        async with sessionmaker() as session, session.begin():
            timer = await repository.claim_due(session, at=now())
            if timer is None:
                return None
            timer_id, at = timer.id, now()
            timer.outcome = await fire(session, timer, settings=settings, at=at)
            timer.fired_at = at
            timer.attempts += 1
            log.info(
                "timer fired",
                extra={
                    "timer_id": str(timer.id),
                    "kind": timer.kind,
                    "alarm_id": str(timer.alarm_id),
                    "outcome": timer.outcome,
                },
            )
            return True
    except (WorkflowError, SQLAlchemyError) as exc:
        if timer_id is None:
            raise
        log.error("timer failed, postponed", extra={"timer_id": str(timer_id), "error": repr(exc)})
        async with sessionmaker() as session, session.begin():
            await repository.postpone(session, timer_id=timer_id, due_at=now() + RETRY_AFTER, error=repr(exc))
        return False


async def process_due_timers(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, limit: int = 200
) -> int:
    """Fire every timer due by now (at most `limit` attempts); returns how many fired."""
    fired = 0
    for _ in range(limit):
        result = await _fire_one(sessionmaker, settings)
        if result is None:
            break
        fired += int(result)
    return fired
