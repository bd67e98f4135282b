"""What a workflow process runs beside HTTP: one HTTP client (registry, bridge, webhooks) and two polling jobs
on APScheduler — fire due timers, deliver the outbox, escalate overdue maintenance tickets.

The jobs only poll the database, so any number of processes may run them: timers and messages are claimed
with SKIP LOCKED and never handled twice. On shutdown the scheduler stops taking new runs and a run in
progress is awaited (its transaction commits or rolls back whole), then the client is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.config import Settings
from fbjd_workflow.maintenance.recurring import open_due_checks
from fbjd_workflow.maintenance.tasks import escalate_overdue
from fbjd_workflow.outbox.tasks import deliver_due
from fbjd_workflow.outbox.transports import Transport, transports_for
from fbjd_workflow.sites import SiteDirectory
from fbjd_workflow.timers.tasks import process_due_timers

__all__ = ["BackgroundJobs", "lifespan"]

log = logging.getLogger(__name__)

#: Lifecycle stages whose enterprises get the recurring checks (their terminals report to the platform).
RECURRING_STAGES = ("networked", "accepted")
STOP_TIMEOUT_SECONDS = 15.0


class BackgroundJobs:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        transports: Mapping[str, Transport],
        sites: SiteDirectory,
    ) -> None:
        self._sessionmaker, self._settings, self._transports = sessionmaker, settings, transports
        self._sites = sites
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()

    async def _guarded(self, name: str, job: Callable[[], Awaitable[object]]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job()
        except Exception:  # noqa: BLE001 - a failed poll is logged; the next poll tries again
            log.exception("background job failed", extra={"job": name})
        finally:
            if task is not None:
                self._running.discard(task)

    async def fire_timers(self) -> None:
        await self._guarded("timers", lambda: process_due_timers(self._sessionmaker, self._settings))

    async def escalate_tickets(self) -> None:
        await self._guarded("maintenance", lambda: escalate_overdue(self._sessionmaker))

    async def open_recurring_checks(self) -> None:
        async def run() -> None:
            sites = await self._sites.enterprises(stages=RECURRING_STAGES)
            if sites is not None:  # registry unreachable: the next poll tries again
                await open_due_checks(self._sessionmaker, sites, at=now())

        await self._guarded("recurring", run)

    async def deliver_outbox(self) -> None:
        await self._guarded("outbox", lambda: deliver_due(self._sessionmaker, self._settings, self._transports))

    def start(self) -> None:
        common = {"trigger": "interval", "max_instances": 1, "coalesce": True}
        self._scheduler.add_job(self.fire_timers, id="timers", seconds=self._settings.timer_poll_seconds, **common)
        self._scheduler.add_job(self.deliver_outbox, id="outbox", seconds=self._settings.outbox_poll_seconds, **common)
        poll = self._settings.timer_poll_seconds
        self._scheduler.add_job(self.escalate_tickets, id="maintenance", seconds=poll, **common)
        if self._settings.recurring_checks_poll_seconds > 0:
            every = self._settings.recurring_checks_poll_seconds
            first = {"next_run_time": datetime.now(UTC) + timedelta(seconds=30)}  # once the registry answers
            self._scheduler.add_job(self.open_recurring_checks, id="recurring", seconds=every, **common, **first)
        self._scheduler.start()
        log.info("background jobs started", extra={"timer_poll_seconds": self._settings.timer_poll_seconds})

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._running:
            await asyncio.wait(set(self._running), timeout=STOP_TIMEOUT_SECONDS)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    client = httpx.AsyncClient(timeout=settings.outbox_send_timeout_seconds)
    transports = transports_for(settings, client)
    app.state.sites = SiteDirectory(settings, client)
    app.state.transports = transports
    jobs = BackgroundJobs(app.state.sessionmaker, settings, transports, app.state.sites)
    app.state.jobs = jobs
    if settings.scheduler_enabled:
        jobs.start()
    try:
        yield
    finally:
        await jobs.stop()
        await client.aclose()
