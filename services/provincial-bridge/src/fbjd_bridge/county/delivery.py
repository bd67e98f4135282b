"""The county records' way to the workflow: POST /api/workflow/abnormals, retried until taken.

The deliverer reads the due records (a newest version the workflow has not taken, back-off over), posts each
as the service role and writes the outcome in a transaction of its own:

* 201 / 200 (created, updated, a duplicate or a stale version: the workflow is idempotent by id + version)
  → delivered up to that version; a version stored meanwhile stays due;
* anything else (no answer, a time-out, 5xx, a 4xx) → the record backs off exponentially with equal jitter
  (`backoff_base_seconds`…`backoff_max_seconds`) and is tried again for ever; the error is shown in
  GET /county-reports. Other records go on: one record's trouble holds back only itself.

Two deliverers at once (two bridge processes) may post a version twice: the workflow answers `duplicate`.
A crash after the POST and before the commit does the same on the next round.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import httpx
from fbjd_core.http import service_client
from fbjd_core.time import now
from fbjd_core.wakeup import Wakeup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings
from fbjd_bridge.county import repository
from fbjd_bridge.county.alarm import alarm_body
from fbjd_bridge.county.models import CountyReport
from fbjd_bridge.outbox.service import backoff_delay

__all__ = ["CountyDeliverer", "IntakeFailed", "WorkflowIntake"]

log = logging.getLogger(__name__)

INTAKE_PATH = "/api/workflow/abnormals"


class IntakeFailed(Exception):
    """The workflow did not take the record (kept as the record's last error, in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WorkflowIntake:
    """The workflow's intake over HTTP, as the bridge (role service)."""

    def __init__(self, base_url: str, *, token: Callable[[], str], timeout_s: float = 10.0) -> None:
        self._http = service_client(base_url.rstrip("/"))
        self._http.timeout = httpx.Timeout(timeout_s)
        self._token = token

    async def aclose(self) -> None:
        await self._http.aclose()

    async def post(self, body: dict[str, Any]) -> str | None:
        """The alarm's stage as the workflow answered; IntakeFailed otherwise."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            reply = await self._http.post(INTAKE_PATH, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise IntakeFailed(f"处置流程服务不可达：{exc!r}") from exc
        if reply.status_code not in (200, 201):
            raise IntakeFailed(f"处置流程服务答复 HTTP {reply.status_code}：{reply.text[:300]}")
        try:
            stage = reply.json().get("stage")
        except ValueError:
            return None
        return None if stage is None else str(stage)


class CountyDeliverer:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        intake: WorkflowIntake,
        *,
        rng: random.Random | None = None,
        batch: int = 50,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._intake = intake
        self._rng = rng or random.Random()
        self._batch = batch
        self._bell = Wakeup()

    def wake(self) -> None:
        """A county record arrived: deliver now rather than at the next poll."""
        self._bell.ring()

    async def run(self) -> None:
        """Deliver, then sleep until woken or the poll interval passes; for ever (the lifespan cancels it)."""
        while True:
            try:
                await self.deliver_until_idle()
            except Exception:  # noqa: BLE001 - the database or a bug: logged, and the next poll tries again
                log.exception("county delivery failed")
            await self._bell.wait(self._settings.outbox_poll_seconds)

    async def deliver_until_idle(self, *, max_rounds: int = 1000) -> int:
        """Rounds until nothing is due (failures wait for their back-off); the records delivered."""
        delivered = 0
        for _ in range(max_rounds):
            step, tried = await self.deliver_once()
            delivered += step
            if tried == 0 or step == 0:
                break
        return delivered

    async def deliver_once(self) -> tuple[int, int]:
        """One batch of due records: (delivered, tried)."""
        async with self._sessionmaker() as session:
            rows = list(await repository.due(session, now=now(), limit=self._batch))
            await session.commit()
        delivered = 0
        for row in rows:
            delivered += await self._deliver(row)
        return delivered, len(rows)

    async def _deliver(self, row: CountyReport) -> int:
        body = alarm_body(row)
        try:
            stage = await self._intake.post(body)
        except IntakeFailed as exc:
            await self._failed(row, exc)
            return 0
        async with self._sessionmaker() as session, session.begin():
            await repository.mark_delivered(session, row.id, version=row.version, stage=stage, at=now())
        log.info(
            "county record delivered to the workflow",
            extra={"record_id": str(row.id), "version": row.version, "ps_id": row.ps_id, "stage": stage},
        )
        return 1

    async def _failed(self, row: CountyReport, exc: IntakeFailed) -> None:
        at = now()
        attempts = row.attempts + 1
        delay = backoff_delay(
            attempts,
            base_s=self._settings.backoff_base_seconds,
            max_s=self._settings.backoff_max_seconds,
            rng=self._rng,
        )
        async with self._sessionmaker() as session, session.begin():
            await repository.mark_failed(
                session, row.id, attempts=attempts, retry_at=at + delay, error=exc.message, at=at
            )
        log.warning(
            "county record not delivered",
            extra={"record_id": str(row.id), "version": row.version, "attempts": attempts, "error": exc.message},
        )
