"""The readings writer never ends silently: an error no branch expected stops the process (its supervisor
starts it again), because an ingest without its writer would answer terminals but store and acknowledge
nothing. A normal stop does not count as a crash."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import asyncpg
from fbjd_ingest.readings.partitions import PartitionManager
from fbjd_ingest.readings.writer import BatchWriter, Job
from fbjd_ingest.tcp.stats import WriterStats


def _writer(crashes: list[BaseException]) -> BatchWriter:
    pool = cast(asyncpg.Pool, None)  # never reached: the failure comes before any write
    return BatchWriter(
        pool, PartitionManager(), WriterStats(), batch_rows=1, latency_s=0, max_backlog_rows=100,
        on_crash=crashes.append,
    )  # fmt: skip


async def test_an_unexpected_error_in_the_writer_stops_the_process_instead_of_a_silent_ingest() -> None:
    crashes: list[BaseException] = []
    writer = _writer(crashes)

    def broken() -> Any:
        raise RuntimeError("a bug nobody caught")

    writer._take = broken  # type: ignore[method-assign]
    writer.start()
    writer.submit(Job())
    for _ in range(100):
        if crashes:
            break
        await asyncio.sleep(0.01)
    assert [str(e) for e in crashes] == ["a bug nobody caught"]


async def test_stopping_the_writer_is_not_a_crash() -> None:
    crashes: list[BaseException] = []
    writer = _writer(crashes)
    writer.start()
    await writer.stop()
    await asyncio.sleep(0)
    assert crashes == []
