"""The outbox sender: claim a due message (SKIP LOCKED), send it, mark it delivered or schedule a retry.

The message stays locked while it is sent, so two processes never send it at once; its transaction commits
the outcome. Retries back off exponentially (outbox_backoff_seconds, doubling, capped) until a 2xx.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.config import Settings
from fbjd_workflow.errors import DeliveryFailed
from fbjd_workflow.outbox import repository
from fbjd_workflow.outbox.transports import Transport

__all__ = ["DeliveryReport", "backoff", "deliver_due"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base, 2×base, 4×base … capped."""
    seconds = settings.outbox_backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.outbox_backoff_max_seconds))


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transports: Mapping[str, Transport],
    *,
    limit: int = 100,
) -> DeliveryReport:
    """Try every message that is due (at most `limit`), one transaction each."""
    report = DeliveryReport()
    for _ in range(limit):
        async with sessionmaker() as session, session.begin():
            message = await repository.claim_due(session, channels=list(transports), at=now())
            if message is None:
                break
            try:
                await transports[message.channel].send(message)
            except DeliveryFailed as exc:
                message.attempts += 1
                message.last_error = exc.message[:2000]
                message.next_attempt_at = now() + backoff(settings, message.attempts)
                report.failed += 1
                log.warning(
                    "outbox delivery failed",
                    extra={
                        "channel": message.channel,
                        "message_id": str(message.id),
                        "attempts": message.attempts,
                        "error": exc.message,
                        "retry_at": message.next_attempt_at.isoformat(),
                    },
                )
            else:
                message.attempts += 1
                message.delivered_at = now()
                message.last_error = None
                report.delivered += 1
                log.info("outbox message delivered", extra={"channel": message.channel, "message_id": str(message.id)})
            message.last_attempt_at = now()
    return report
