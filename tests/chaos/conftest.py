"""Fixtures of the fault tests: a fresh database per test, beside the session's, dropped afterwards; the processes
a test starts, stopped whatever its outcome."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.migrate import migrate_all

from .processes import ServiceProcess


def with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(with_database(url, "postgres")))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def fresh_database_url(database_url: str) -> Iterator[str]:
    """A database of its own for one test (random name, every migration applied) on the server of the session's
    database (FBJD_TEST_DATABASE_URL's, or the embedded one); dropped at the end, whatever the outcome."""
    name = f"fbjd_chaos_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(database_url, f'CREATE DATABASE "{name}"'))
    url = with_database(database_url, name)
    try:
        migrate_all(url)
        yield url
    finally:
        asyncio.run(_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def services() -> Iterator[list[ServiceProcess]]:
    """The service processes a test starts (append them); stopped at the end, whatever the outcome."""
    started: list[ServiceProcess] = []
    yield started
    for service in started:
        service.stop()
