"""The daily self-audit (每日自查): computed by a background job and stored, so that a page view only reads it.

At city size (thousands of enterprises, five reads each from the registry, rules and workflow, one of which has
the rules judge days of data on demand) the report takes minutes: far too long for a request. The job computes
the whole city's report for the default window (FBJD_SELF_AUDIT_DAYS) once a day at FBJD_SELF_AUDIT_AT (China
Standard Time), and once at start when none is stored; GET /self-audit answers from the newest stored one.

One run at a time across every bridge process: a run is claimed as a `running` row (under an advisory lock);
a claim finds a run under way and gives up. A run whose process died counts as under way for
FBJD_SELF_AUDIT_STALE_HOURS, then no longer. The scheduled loop runs where `sender_enabled` (the background
processes); a refresh, or a request finding no report at all, starts a run in the process it reaches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

from fbjd_core.errors import FbjdError
from fbjd_core.time import CST, now
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings, service_token
from fbjd_bridge.self_audit import repository
from fbjd_bridge.self_audit.schemas import SelfAuditOut
from fbjd_bridge.self_audit.service import self_audit
from fbjd_bridge.self_audit.sources import AuditSources

__all__ = ["SelfAuditJob", "audit_sources", "daily_self_audit", "next_run"]

log = logging.getLogger(__name__)

SourcesFactory = Callable[[], AuditSources]
_LONGEST_SLEEP_S = 300.0  # the loop wakes at least this often to look at the clock again


def next_run(at: datetime, daily: time) -> datetime:
    """The next moment after `at` whose China Standard Time reads `daily` (UTC)."""
    local = at.astimezone(CST)
    due = local.replace(hour=daily.hour, minute=daily.minute, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due.astimezone(UTC)


class SelfAuditJob:
    """Computes and stores the city's report; reads the newest one back (parsed once per stored report)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        sources: SourcesFactory | None = None,
    ) -> None:
        self._sessions = sessionmaker
        self._settings = settings
        self._sources = sources or (lambda: audit_sources(settings))
        self._task: asyncio.Task[int | None] | None = None
        self._cached: tuple[int, SelfAuditOut] | None = None

    @property
    def days(self) -> int:
        return self._settings.self_audit_days

    @property
    def running_here(self) -> bool:
        return self._task is not None and not self._task.done()

    def _stale_before(self) -> datetime:
        return repository.stale_before(now(), self._settings.self_audit_stale_hours)

    async def running_since(self) -> datetime | None:
        """When the run under way in any process started; None when none is."""
        async with self._sessions() as session:
            return await repository.running_since(session, days=self.days, stale_before=self._stale_before())

    def start(self, trigger: str) -> bool:
        """Start a run in the background; False when this process already runs one."""
        if self.running_here:
            return False
        self._task = asyncio.create_task(self.compute(trigger), name="bridge-self-audit")
        return True

    async def compute(self, trigger: str) -> int | None:
        """One run: claim it, read every source, store the report. The stored row's id; None when another run
        was under way or this one failed (the row says why)."""
        at = now()
        async with self._sessions.begin() as session:
            run_id = await repository.claim_run(
                session, days=self.days, trigger=trigger, at=at, stale_before=self._stale_before()
            )
        if run_id is None:
            log.info("self-audit already running elsewhere", extra={"trigger": trigger})
            return None
        log.info("self-audit started", extra={"trigger": trigger, "run": run_id, "days": self.days})
        try:
            async with self._sources() as sources:
                report = await self_audit(sources, county=None, ps_id=None, days=self.days, at=at)
        except asyncio.CancelledError:
            await self._fail(run_id, "任务被中止（进程退出）")
            raise
        except FbjdError as exc:  # the registry did not list the enterprises: tried again at the next run
            log.warning("self-audit failed", extra={"run": run_id, "error": exc.message})
            await self._fail(run_id, exc.message)
            return None
        except Exception as exc:  # a run that dies must not stay `running`: its row says why
            log.exception("self-audit failed", extra={"run": run_id})
            await self._fail(run_id, f"{type(exc).__name__}: {exc}")
            return None
        async with self._sessions.begin() as session:
            await repository.finish_run(
                session,
                run_id,
                report=report.model_dump(mode="json"),
                generated_at=report.generated_at,
                enterprises=len(report.enterprises),
                keep=self._settings.self_audit_keep,
            )
        log.info("self-audit stored", extra={"run": run_id, "enterprises": len(report.enterprises)})
        return run_id

    async def _fail(self, run_id: int, error: str) -> None:
        async with self._sessions.begin() as session:
            await repository.fail_run(session, run_id, error=error, at=now())

    async def latest(self) -> SelfAuditOut | None:
        """The newest stored report of the default window (the whole city), or None while there is none."""
        async with self._sessions() as session:
            found = await repository.latest_done(session, days=self.days)
            if found is None:
                return None
            run_id, _ = found
            if self._cached is not None and self._cached[0] == run_id:
                return self._cached[1]
            stored = await repository.load_report(session, run_id)
        if stored is None:
            return None
        report = SelfAuditOut.model_validate(stored)
        self._cached = (run_id, report)
        return report

    async def run(self) -> None:
        """The scheduled loop: a run at start when no report is stored, then one a day."""
        try:
            missing = await self.latest() is None and await self.running_since() is None
        except (SQLAlchemyError, OSError):
            log.exception("self-audit: the stored report could not be read at start")
            missing = True
        if missing:
            await self._scheduled("start")
        daily = self._settings.self_audit_at
        while True:
            due = next_run(now(), daily)
            while (left := (due - now()).total_seconds()) > 0:
                await asyncio.sleep(min(left, _LONGEST_SLEEP_S))
            await self._scheduled("schedule")

    async def _scheduled(self, trigger: str) -> None:
        """A run of the loop; the database out of reach costs that run only, not the loop."""
        try:
            await self.compute(trigger)
        except (SQLAlchemyError, OSError):
            log.exception("self-audit could not be stored", extra={"trigger": trigger})

    async def aclose(self) -> None:
        """Stop a refresh under way in this process (its row is marked failed)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def audit_sources(settings: Settings) -> AuditSources:
    return AuditSources(
        registry_url=settings.registry_url,
        rules_url=settings.rules_url,
        workflow_url=settings.workflow_url,
        token=lambda: service_token(settings),
        concurrency=settings.self_audit_concurrency,
        stretch_days=settings.self_audit_stretch_days,
    )


@asynccontextmanager
async def daily_self_audit(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[SelfAuditJob]:
    """The job of this process, its daily loop running where `sender_enabled`; stopped on exit."""
    job = SelfAuditJob(sessionmaker, settings)
    task = asyncio.create_task(job.run(), name="bridge-self-audit-daily") if settings.sender_enabled else None
    try:
        yield job
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await job.aclose()
