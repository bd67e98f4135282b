"""Day partitions of ingest.receipts and ingest.readings, created on demand.

A partition per China-Standard-Time day (`readings_p20261124` holds [2026-11-24 00:00+08, 2026-11-25 00:00+08)).
The writer asks for the days a batch touches before it opens its transaction; days already known cost a set
lookup. A maintenance task keeps `partition_days_ahead` days ready so that the first batch after midnight does
not pay for DDL. There is no DEFAULT partition: it would collect rows that later block creating their real day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

import asyncpg

__all__ = ["PARTITIONED_TABLES", "PartitionManager", "partition_name"]

log = logging.getLogger(__name__)

PARTITIONED_TABLES = ("receipts", "readings")

_LIST = """
SELECT p.relname AS parent, c.relname AS child
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace n ON n.oid = p.relnamespace
WHERE n.nspname = 'ingest' AND p.relname = ANY($1::text[])
"""


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def _parse_day(parent: str, child: str) -> date | None:
    suffix = child.removeprefix(f"{parent}_p")
    if len(suffix) != 8 or not suffix.isdigit():
        return None
    try:
        return date(int(suffix[:4]), int(suffix[4:6]), int(suffix[6:]))
    except ValueError:
        return None


class PartitionManager:
    """Knows which day partitions exist (cached) and creates missing ones."""

    def __init__(self) -> None:
        self._known: set[date] = set()
        self.created = 0

    def missing(self, days: Iterable[date]) -> set[date]:
        return {day for day in days if day not in self._known}

    async def load(self, conn: asyncpg.Connection) -> None:
        per_table: dict[str, set[date]] = {table: set() for table in PARTITIONED_TABLES}
        for row in await conn.fetch(_LIST, list(PARTITIONED_TABLES)):
            day = _parse_day(row["parent"], row["child"])
            if day is not None:
                per_table[row["parent"]].add(day)
        self._known = set.intersection(*per_table.values())

    async def ensure(self, conn: asyncpg.Connection, days: Iterable[date]) -> None:
        """Create the partitions of `days` that do not exist yet (each DDL statement commits on its own)."""
        for day in sorted(self.missing(days)):
            for table in PARTITIONED_TABLES:
                await self._create(conn, table, day)
            self._known.add(day)

    async def _create(self, conn: asyncpg.Connection, table: str, day: date) -> None:
        name = partition_name(table, day)
        upper = day + timedelta(days=1)
        sql = (
            f"CREATE TABLE IF NOT EXISTS ingest.{name} PARTITION OF ingest.{table} "
            f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+08') TO ('{upper.isoformat()} 00:00:00+08')"
        )
        try:
            await conn.execute(sql)
        except (asyncpg.DuplicateTableError, asyncpg.UniqueViolationError):
            # another ingest process created it between our check and our CREATE: that is what we wanted
            log.debug("partition created concurrently", extra={"partition": name})
            return
        self.created += 1
        log.info("partition ready", extra={"partition": name})
