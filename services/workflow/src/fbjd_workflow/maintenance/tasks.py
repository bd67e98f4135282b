"""The deadline of maintenance tickets: tickets past it and not closed (assigned or in progress) go to the city,
each once.

The deadline is a column of the ticket (it survives restarts); the poll claims one overdue ticket at a time
with FOR UPDATE SKIP LOCKED and sets `escalated_at` in the transaction of its event, so several processes (or
a restart) never escalate a ticket twice.
"""

from __future__ import annotations

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.maintenance import repository
from fbjd_workflow.maintenance.service import escalate

__all__ = ["escalate_overdue"]


async def escalate_overdue(sessionmaker: async_sessionmaker[AsyncSession], *, limit: int = 100) -> int:
    """Escalate every overdue ticket (at most `limit`), one transaction each; returns how many. The time each
    ticket was allowed is its own (deadline − opened, fixed when it was made): the configured hours for a
    finding, the period for a recurring check."""
    escalated = 0
    for _ in range(limit):
        async with sessionmaker() as session, session.begin():
            ticket = await repository.claim_overdue(session, at=now())
            if ticket is None:
                break
            await escalate(session, ticket, at=now())
            escalated += 1
    return escalated
