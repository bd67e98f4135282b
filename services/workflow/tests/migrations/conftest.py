"""Fixtures of the migration tests: a database of their own, to migrate step by step."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from fbjd_core.settings import asyncpg_dsn


@pytest.fixture
async def empty_database(database_url: str) -> AsyncIterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    base = database_url.rpartition("/")[0]
    name = f"fbjd_backfill_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(f"{base}/postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
