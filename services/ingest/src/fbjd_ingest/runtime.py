"""The long-lived parts of the ingest process, built in the app's lifespan and reached from routes.

pool ─ asyncpg, for the write path (writer, commands, adoption); HTTP reads use SQLAlchemy sessions
directory ─ registered devices, in memory
writer ─ the one batched writer
dispatcher / supervisor ─ center commands, set-up, clock, gap filling
server ─ the HJ 212 listener (when hj212_enabled)
maintenance ─ every `device_refresh_s`: reload devices, keep partitions ahead, persist link-error counts
rollups ─ every `consumption_refresh_s`: recompute the consumption of the (point, day) keys the writer dirtied
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import asyncpg
from fastapi import Depends, FastAPI, Request
from fbjd_core.app import ExtraLifespan
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import now

from fbjd_ingest.commands.center import TerminalSupervisor
from fbjd_ingest.commands.dispatcher import CommandDispatcher
from fbjd_ingest.config import Settings
from fbjd_ingest.consumption.rollup import refresh_consumption
from fbjd_ingest.db_errors import CONNECTION_ERRORS
from fbjd_ingest.devices.directory import DeviceDirectory
from fbjd_ingest.readings.notifier import RulesNotifier
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import cst_day
from fbjd_ingest.readings.writer import BatchWriter
from fbjd_ingest.security.store import add_link_errors
from fbjd_ingest.tcp.handler import PacketHandler
from fbjd_ingest.tcp.server import Hj212Server
from fbjd_ingest.tcp.stats import IngestStats

__all__ = ["IngestRuntime", "RuntimeDep", "runtime_lifespan"]

log = logging.getLogger(__name__)


@dataclass
class IngestRuntime:
    settings: Settings
    pool: asyncpg.Pool
    stats: IngestStats
    directory: DeviceDirectory
    partitions: PartitionManager
    writer: BatchWriter
    dispatcher: CommandDispatcher
    supervisor: TerminalSupervisor
    handler: PacketHandler
    server: Hj212Server | None = None
    notifier: RulesNotifier | None = None
    _maintenance: asyncio.Task[None] | None = None
    _rollups: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, settings: Settings) -> IngestRuntime:
        pool = await asyncpg.create_pool(
            asyncpg_dsn(settings.require_database_url()),
            min_size=1,
            max_size=settings.writer_pool_size,
            command_timeout=settings.db_command_timeout_s,
            server_settings={"application_name": "fbjd-ingest"},
        )
        stats = IngestStats()
        directory = DeviceDirectory()
        partitions = PartitionManager()
        notifier = (
            RulesNotifier(rules_url=settings.rules_url, jwt_secret=settings.jwt_secret.get_secret_value())
            if settings.notify_rules
            else None
        )
        writer = BatchWriter(
            pool,
            partitions,
            stats.writer,
            batch_rows=settings.writer_batch_rows,
            latency_s=settings.writer_latency_ms / 1000,
            max_backlog_rows=settings.writer_max_backlog_rows,
            last_seen_resolution_s=settings.last_seen_resolution_s,
            on_stored=notifier.note if notifier is not None else None,
        )
        dispatcher = CommandDispatcher(pool, stats, default_timeout_s=settings.command_timeout_s)
        supervisor = TerminalSupervisor(settings, dispatcher, pool, stats)
        handler = PacketHandler(
            settings=settings,
            directory=directory,
            writer=writer,
            dispatcher=dispatcher,
            supervisor=supervisor,
            stats=stats,
        )
        runtime = cls(settings, pool, stats, directory, partitions, writer, dispatcher, supervisor, handler)
        runtime.notifier = notifier
        try:
            await directory.load(pool)
            async with pool.acquire() as conn:
                await partitions.load(conn)
            await runtime.prepare_partitions()
            writer.start()
            if notifier is not None:
                notifier.start()
            if settings.hj212_enabled:
                runtime.server = Hj212Server(settings, handler, stats)
                await runtime.server.start()
        except BaseException:
            await pool.close()
            raise
        runtime._maintenance = asyncio.create_task(runtime._maintain(), name="ingest-maintenance")
        runtime._rollups = asyncio.create_task(runtime._roll_up(), name="ingest-rollups")
        log.info("ingest runtime started", extra={"devices": len(directory)})
        return runtime

    async def stop(self) -> None:
        for task in (self._maintenance, self._rollups):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self.server is not None:
            await self.server.stop()
        await self.writer.stop()
        if self.notifier is not None:
            await self.notifier.stop()
        await self.dispatcher.close()
        await self._flush_link_errors()
        await self.pool.close()

    async def prepare_partitions(self) -> None:
        today = cst_day(now())
        days = {today + timedelta(days=d) for d in range(-1, self.settings.partition_days_ahead + 1)}
        if self.partitions.missing(days):
            async with self.pool.acquire() as conn:
                await self.partitions.ensure(conn, days)

    async def _flush_link_errors(self) -> None:
        counts = self.stats.take_link_errors()
        if not counts:
            return
        try:
            async with self.pool.acquire() as conn:
                await add_link_errors(conn, counts)
        except CONNECTION_ERRORS as exc:
            self.stats.restore_link_errors(counts)
            log.error("link-error counts not persisted; kept for the next try", extra={"error": repr(exc)})

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(self.settings.device_refresh_s)
            try:
                await self.directory.load(self.pool)
                await self.prepare_partitions()
            except CONNECTION_ERRORS as exc:
                log.error("maintenance failed; retrying next round", extra={"error": repr(exc)})
            await self._flush_link_errors()

    async def _roll_up(self) -> None:
        """Consumption rollups: a round as soon as the previous one took a full page, else every refresh period."""
        while True:
            taken = 0
            try:
                taken = await refresh_consumption(self.pool, limit=self.settings.consumption_batch_keys)
            except CONNECTION_ERRORS as exc:
                log.error("consumption rollup failed; the keys stay dirty", extra={"error": repr(exc)})
            if taken < self.settings.consumption_batch_keys:
                await asyncio.sleep(self.settings.consumption_refresh_s)


def runtime_lifespan(settings: Settings) -> ExtraLifespan:
    """The `extra_lifespan` of create_service_app: the runtime lives as long as the app."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await IngestRuntime.start(settings)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.stop()

    return lifespan


def _runtime(request: Request) -> IngestRuntime:
    runtime: IngestRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[IngestRuntime, Depends(_runtime)]
