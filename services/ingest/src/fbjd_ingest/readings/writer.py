"""The single batched writer: every packet's rows go through here, and its answer waits for the commit.

Why one task: PostgreSQL takes a 5,000-row batch in one round trip about as fast as one row, so the way to
be fast *and* acknowledge only committed data is to collect the packets of all connections for a few
milliseconds, write them in one transaction, and only then send each packet's 9014. An acknowledged reading is
therefore never lost; a packet whose batch fails is not acknowledged, and the terminal resends it.

Batching is adaptive: an idle writer waits up to `latency` for more packets (or until `batch_rows` are
queued); a busy writer takes everything that queued up while it was flushing, with no extra wait.

Failures:
* a data error (a value the database refuses, a constraint) fails the batch: its jobs are retried one by one so
  the other packets are not held hostage, and a job that fails alone is kept in quarantine (`store_failed`)
  and acknowledged — it is stored, raw;
* anything else (connection lost, database down) fails the whole batch: nothing is acknowledged, the
  terminals resend, and the writer backs off briefly before the next attempt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import asyncpg
from fbjd_core.ids import new_id
from fbjd_core.time import now

from fbjd_ingest.db_errors import CONNECTION_ERRORS
from fbjd_ingest.quarantine.store import QuarantineRow, Reason, insert_quarantine
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.rows import ReadingRow, ReceiptRow
from fbjd_ingest.readings.store import Touch, insert_readings, insert_receipts, touch_devices
from fbjd_ingest.security.store import SecurityEventRow, insert_security_events
from fbjd_ingest.tcp.stats import WriterStats

__all__ = ["BatchWriter", "Job", "JobOwner"]

log = logging.getLogger(__name__)

_DATA_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)
_RETRY_ERRORS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


def _stop_the_process(_error: BaseException) -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly; the terminals' backlogs stay theirs


class JobOwner(Protocol):
    """Who is told when a job is done (a TCP session): `reply` is its answer, None when it must not be sent."""

    def job_done(self, reply: bytes | None) -> None: ...


@dataclass(slots=True, eq=False)
class Job:
    """What one packet writes. Everything in it commits together with its batch, then `reply` is sent."""

    owner: JobOwner | None = None
    reply: bytes | None = None
    receipt: ReceiptRow | None = None
    readings: list[ReadingRow] = field(default_factory=list)
    quarantine: QuarantineRow | None = None
    event: SecurityEventRow | None = None
    day: date | None = None  # the day partition the receipt and readings need
    raw: bytes | None = None  # the packet, kept in quarantine if its rows cannot be stored
    done: asyncio.Future[bool] | None = None  # for barrier(): True once committed

    @property
    def size(self) -> int:
        return len(self.readings) + 1


class BatchWriter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        partitions: PartitionManager,
        stats: WriterStats,
        *,
        batch_rows: int,
        latency_s: float,
        max_backlog_rows: int,
        last_seen_resolution_s: float = 5.0,
        on_stored: Callable[[list[ReadingRow]], None] | None = None,
        on_crash: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._pool = pool
        self._partitions = partitions
        self._stats = stats
        self.batch_rows = batch_rows
        self.latency_s = latency_s
        self.max_backlog_rows = max_backlog_rows
        self._resolution = last_seen_resolution_s
        self._jobs: list[Job] = []
        self._rows = 0
        self._has_work = asyncio.Event()
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._touches: dict[str, Touch] = {}
        self._touched_at: dict[str, float] = {}
        self._held: list[Callable[[], None]] = []
        self._stopping = False
        self._on_stored = on_stored  # told of every committed batch's readings (the rules notifier)
        self._on_crash = on_crash or _stop_the_process

    # -- producer side (called from the TCP protocol callbacks: synchronous, never blocks) ------------------
    def submit(self, job: Job) -> None:
        self._jobs.append(job)
        self._rows += job.size
        self._stats.backlog_rows = self._rows
        self._stats.backlog_jobs = len(self._jobs)
        self._has_work.set()
        if self._rows >= self.batch_rows:
            self._full.set()

    @property
    def overloaded(self) -> bool:
        return self._rows >= self.max_backlog_rows

    def hold(self, resume: Callable[[], None]) -> None:
        """Register a paused reader, resumed once the backlog is down to half the limit."""
        self._held.append(resume)

    def touch(self, mn: str, *, peer: str | None, version: str | None) -> None:
        """Note that a device was heard from; written with the next batch (at most every few seconds)."""
        mono = time.monotonic()
        if mono - self._touched_at.get(mn, -1e9) < self._resolution and mn not in self._touches:
            return
        self._touched_at[mn] = mono
        self._touches[mn] = Touch(mn, now(), peer, version)
        self._has_work.set()

    async def barrier(self) -> None:
        """Wait until everything submitted before this call is committed (or has failed)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.submit(Job(done=done))
        await done

    # -- the task ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ingest-writer")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        """The writer must never end before `stop`: an ingest without it answers terminals but stores nothing
        and acknowledges nothing, so it says so and stops the process (its supervisor starts it again)."""
        if task.cancelled() or self._stopping:
            return
        error = task.exception() or RuntimeError("the writer task returned")
        log.critical("the readings writer stopped unexpectedly", exc_info=error)
        self._on_crash(error)

    async def stop(self) -> None:
        """Flush what is queued, then stop."""
        self._stopping = True
        self._has_work.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        idle = True
        while True:
            await self._has_work.wait()
            if idle and self._rows < self.batch_rows and not self._stopping and self.latency_s > 0:
                try:
                    await asyncio.wait_for(self._full.wait(), self.latency_s)
                except TimeoutError:
                    pass
            jobs = self._take()
            touches, self._touches = list(self._touches.values()), {}
            if jobs or touches:
                await self._flush(jobs, touches)
            idle = not self._jobs
            if idle:
                self._has_work.clear()
                if self._touches:
                    self._has_work.set()
            if self._stopping and not self._jobs:
                return

    def _take(self) -> list[Job]:
        cut = self._cut(self.batch_rows)
        taken = self._jobs[:cut]
        del self._jobs[:cut]
        self._rows -= sum(job.size for job in taken)
        if self._rows < self.batch_rows:
            self._full.clear()
        self._stats.backlog_rows = self._rows
        self._stats.backlog_jobs = len(self._jobs)
        if self._held and self._rows <= self.max_backlog_rows // 2:
            held, self._held = self._held, []
            for resume in held:
                resume()
        return taken

    def _cut(self, budget: int) -> int:
        rows = 0
        for i, job in enumerate(self._jobs):
            rows += job.size
            if rows >= budget:
                return i + 1
        return len(self._jobs)

    # -- flushing ---------------------------------------------------------------------------------------------
    async def _flush(self, jobs: list[Job], touches: list[Touch]) -> None:
        started = time.perf_counter()
        try:
            await self._write(jobs, touches)
        except _DATA_ERRORS as exc:
            await self._after_data_error(jobs, touches, exc)
        except _RETRY_ERRORS as exc:
            log.warning("batch conflicted with another writer; retrying once", extra={"error": str(exc)})
            await self._retry_or_fail(jobs, touches)
        except CONNECTION_ERRORS as exc:
            self._fail(jobs, exc)
            await asyncio.sleep(0.2)
        else:
            self._complete(jobs)
        elapsed = (time.perf_counter() - started) * 1000
        self._stats.last_flush_ms = round(elapsed, 2)
        self._stats.max_flush_ms = max(self._stats.max_flush_ms, round(elapsed, 2))

    async def _retry_or_fail(self, jobs: list[Job], touches: list[Touch]) -> None:
        try:
            await self._write(jobs, touches)
        except CONNECTION_ERRORS as exc:
            self._fail(jobs, exc)
        else:
            self._complete(jobs)

    async def _after_data_error(self, jobs: list[Job], touches: list[Touch], exc: Exception) -> None:
        if len(jobs) > 1:
            self._stats.split_retries += 1
            log.warning("batch refused by the database; writing its packets one by one", extra={"error": str(exc)})
            for job in jobs:
                await self._flush([job], [])
            if touches:
                await self._flush([], touches)
            return
        if not jobs:
            log.error("device touch refused by the database", extra={"error": str(exc)})
            return
        job = jobs[0]
        if job.raw is None or job.receipt is None:
            self._fail(jobs, exc)
            return
        log.error(
            "packet refused by the database; kept in quarantine",
            extra={"mn": job.receipt.mn, "cn": job.receipt.cn, "error": str(exc)},
        )
        fallback = Job(
            owner=job.owner,
            reply=job.reply,
            quarantine=QuarantineRow(
                new_id(),
                job.receipt.mn,
                job.receipt.ps_id,
                Reason.STORE_FAILED,
                job.receipt.peer,
                job.receipt.received_at,
                job.receipt.st,
                job.receipt.cn,
                job.receipt.qn,
                job.receipt.data_time,
                job.raw,
            ),
        )
        try:
            await self._write([fallback], [])
        except CONNECTION_ERRORS as exc2:
            self._fail(jobs, exc2)
        else:
            self._complete([fallback])

    async def _write(self, jobs: list[Job], touches: list[Touch]) -> None:
        receipts = [j.receipt for j in jobs if j.receipt is not None]
        readings = [r for j in jobs for r in j.readings]
        quarantine = [j.quarantine for j in jobs if j.quarantine is not None]
        events = [j.event for j in jobs if j.event is not None]
        days = {j.day for j in jobs if j.day is not None}
        async with self._pool.acquire() as conn:
            if days:
                await self._partitions.ensure(conn, days)
            async with conn.transaction():
                await insert_receipts(conn, receipts)
                new = await insert_readings(conn, readings)
                await insert_quarantine(conn, quarantine)
                await insert_security_events(conn, events)
                await touch_devices(conn, touches)
        if self._on_stored is not None and readings:
            self._on_stored(readings)
        s = self._stats
        s.batches += 1
        s.jobs += len(jobs)
        s.receipts += len(receipts)
        s.readings += len(readings)
        s.readings_new += new
        s.quarantined += len(quarantine)
        s.security_events += len(events)

    def _complete(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.owner is not None:
                job.owner.job_done(job.reply)
            if job.done is not None and not job.done.done():
                job.done.set_result(True)

    def _fail(self, jobs: list[Job], exc: BaseException) -> None:
        self._stats.failures += 1
        log.error(
            "batch not stored; its packets are not acknowledged and will be resent",
            extra={"jobs": len(jobs), "error": repr(exc)},
        )
        for job in jobs:
            if job.owner is not None:
                job.owner.job_done(None)
            if job.done is not None and not job.done.done():
                job.done.set_result(False)
