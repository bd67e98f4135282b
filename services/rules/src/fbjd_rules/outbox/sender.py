"""The outbox senders: deliver record versions, in order per record, to each destination: the workflow
(`POST {workflow}/api/workflow/abnormals`: disposition), the provincial bridge (`POST {bridge}/api/bridge/abnormals`:
the province's real-time push) and the workflow's maintenance tickets (`POST {workflow}/api/workflow/maintenance/
findings`: device and data findings, `record_id` = the finding's id). One sender per destination, so an outage of
one does not hold up the others.

Rows are taken oldest first and locked (SKIP LOCKED: several senders never send one row twice at once). Per
record only the newest pending version is sent; older pending versions of it are marked superseded (the
workflow keeps the highest version, so skipping stale ones loses nothing and keeps the order). A failure
(connection refused, 5xx, any non-2xx) leaves the row pending with exponential back-off up to a cap: a workflow
outage loses nothing and the backlog drains when it is back. The workflow treats the same id + version as a
no-op, so a resend after a crash between POST and commit is harmless.

`enrich` completes a payload just before it is sent (the maintenance findings get the enterprise's operator,
运维单位, from the registry: who holds the contract at sending time is whom the ticket goes to).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from fbjd_core.time import now
from fbjd_core.wakeup import Wakeup
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_rules.outbox import repository
from fbjd_rules.outbox.models import OutboxMessage

__all__ = ["DESTINATIONS", "RECORD_DESTINATIONS", "OutboxSender"]

log = logging.getLogger(__name__)

DESTINATIONS: dict[str, str] = {
    "workflow": "/api/workflow/abnormals",
    "bridge": "/api/bridge/abnormals",
    "maintenance": "/api/workflow/maintenance/findings",  # device and data findings → maintenance tickets
}
RECORD_DESTINATIONS = ("workflow", "bridge")  # where every abnormal record version goes


class OutboxSender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        destination: str,
        base_url: str,
        token: Callable[[], str],
        *,
        batch: int = 50,
        poll_s: float = 2.0,
        max_backoff_s: float = 300.0,
        transport: httpx.AsyncBaseTransport | None = None,
        enrich: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._enrich = enrich
        self.destination = destination
        self._path = DESTINATIONS[destination]
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(10.0, connect=3.0), transport=transport
        )
        self._token = token
        self._batch = batch
        self._poll_s = poll_s
        self._max_backoff = max_backoff_s
        self._bell = Wakeup()
        self.delivered = 0

    def wake(self) -> None:
        self._bell.ring()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def run(self) -> None:
        while True:
            try:
                delivered = await self.drain_once()
            except (DBAPIError, OSError) as exc:  # the database away or full of clients: try again, never die
                log.warning(
                    "outbox drain failed; retrying", extra={"destination": self.destination, "error": repr(exc)}
                )
                delivered = 0
            if delivered == 0:
                await self._bell.wait(self._poll_s)

    async def drain_once(self) -> int:
        """Send what is due; returns how many versions were delivered."""
        async with self._sessionmaker() as session, session.begin():
            rows = await repository.pending(session, destination=self.destination, now=now(), limit=self._batch)
            if not rows:
                return 0
            latest: dict[object, OutboxMessage] = {}
            for row in rows:
                latest[row.record_id] = row
            stale = [row.seq for row in rows if latest[row.record_id] is not row]
            await repository.mark_sent(session, stale, at=now(), outcome="superseded")
            delivered = await self._send(session, sorted(latest.values(), key=lambda r: r.seq))
        self.delivered += delivered
        return delivered

    async def _send(self, session: AsyncSession, rows: Sequence[OutboxMessage]) -> int:
        headers = {"Authorization": f"Bearer {self._token()}"}
        delivered = 0
        for row in rows:
            unreachable = False
            try:
                payload = row.payload if self._enrich is None else await self._enrich(row.payload)
                reply = await self._http.post(self._path, json=payload, headers=headers)
                error = (
                    None if reply.is_success else f"{self.destination} answered {reply.status_code}: {reply.text[:500]}"
                )
            except httpx.HTTPError as exc:
                error, unreachable = f"{self.destination} unreachable: {exc!r}", True
            if error is None:
                await repository.mark_sent(session, [row.seq], at=now(), outcome="delivered")
                delivered += 1
                continue
            backoff = min(self._max_backoff, 2.0 ** min(row.attempts + 1, 16))
            await repository.mark_failed(session, row.seq, error=error, retry_at=now() + timedelta(seconds=backoff))
            log.warning(
                "outbox delivery failed",
                extra={
                    "destination": self.destination,
                    "record_id": str(row.record_id),
                    "version": row.version,
                    "attempts": row.attempts + 1,
                    "error": error,
                },
            )
            if unreachable:
                break  # the rest stay due; no point in waiting for every time-out of this batch
        return delivered
