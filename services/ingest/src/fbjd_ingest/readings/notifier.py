"""Tells the rules service which data arrived, so it evaluates at once instead of at its next sweep.

Contract (owned by rules): `POST {rules_url}/api/rules/notifications/readings` with
`{"windows": [{"ps_id", "mn", "start", "end"}]}` — data for these devices in these windows (UTC) was stored,
new or late. Windows are merged per device between sends, so an outage of rules costs memory proportional
to the number of devices, not to the data. A notification lost with a crash of this process is caught up by
the rules' periodic sweep: this is a latency path, not the source of truth (the readings are).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import httpx
from fbjd_core.auth import Principal, Role, issue_token

from fbjd_ingest.readings.rows import ReadingRow

__all__ = ["RulesNotifier"]

log = logging.getLogger(__name__)
PATH = "/api/rules/notifications/readings"


class RulesNotifier:
    def __init__(
        self, *, rules_url: str, jwt_secret: str, interval_s: float = 1.0, max_backoff_s: float = 60.0
    ) -> None:
        self._rules_url = rules_url
        self._secret = jwt_secret
        self._interval = interval_s
        self._max_backoff = max_backoff_s
        self._windows: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.sent = 0

    def note(self, rows: Iterable[ReadingRow]) -> None:
        """Called by the writer after a batch committed: widen each device's pending window."""
        for row in rows:
            key = (row.ps_id, row.mn)
            known = self._windows.get(key)
            if known is None:
                self._windows[key] = (row.data_time, row.data_time)
            elif not known[0] <= row.data_time <= known[1]:
                self._windows[key] = (min(known[0], row.data_time), max(known[1], row.data_time))

    def start(self) -> None:
        self._client = httpx.AsyncClient(base_url=self._rules_url, timeout=httpx.Timeout(5.0, connect=2.0))
        self._task = asyncio.create_task(self._run(), name="rules-notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            with contextlib.suppress(httpx.HTTPError):
                await self._send()  # a last try; the rules' sweep covers it when it fails
            await self._client.aclose()

    async def _run(self) -> None:
        backoff = self._interval
        while True:
            await asyncio.sleep(backoff)
            try:
                await self._send()
                backoff = self._interval
            except httpx.HTTPError as exc:
                backoff = min(backoff * 2, self._max_backoff)
                log.warning("rules not notified; will retry", extra={"error": repr(exc), "retry_s": backoff})

    async def _send(self) -> None:
        if not self._windows or self._client is None:
            return
        pending, self._windows = self._windows, {}
        body = {
            "windows": [
                {"ps_id": ps_id, "mn": mn, "start": start.isoformat(), "end": end.isoformat()}
                for (ps_id, mn), (start, end) in pending.items()
            ]
        }
        token = issue_token(
            Principal(subject="ingest", role=Role.SERVICE), secret=self._secret, ttl=timedelta(minutes=5)
        )
        try:
            reply = await self._client.post(PATH, json=body, headers={"Authorization": f"Bearer {token}"})
            reply.raise_for_status()
        except httpx.HTTPError:
            for key, (start, end) in pending.items():  # put back, merged with what arrived meanwhile
                known = self._windows.get(key, (start, end))
                self._windows[key] = (min(known[0], start), max(known[1], end))
            raise
        self.sent += len(pending)
