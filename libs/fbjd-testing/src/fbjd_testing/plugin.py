"""Fixtures: a real PostgreSQL database built by the real migrations, tokens for any role.

Where the database comes from:
- FBJD_TEST_DATABASE_URL (or DATABASE_URL) set: a fresh database is created on that server
  for this test session and dropped at its end;
- otherwise an embedded server is started in a temporary directory (no server needed on the machine).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import uvicorn
from fbjd_core.auth import Principal, Role, issue_token
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.migrate import migrate_all
from fbjd_infra.postgres import EmbeddedPostgres, free_port

TEST_JWT_SECRET = "fbjd-test-secret-not-for-production"


def _with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def own_database(server_url: str, prefix: str) -> Iterator[str]:
    """A database of its own (random name after `prefix`, every migration applied) on the server of
    `server_url`; dropped at the end, whatever the outcome. For tests whose data must not meet other tests'."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    maintenance = _with_database(server_url, "postgres")
    asyncio.run(_admin(maintenance, f'CREATE DATABASE "{name}"'))
    url = _with_database(server_url, name)
    try:
        migrate_all(url)
        yield url
    finally:
        asyncio.run(_admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database with every service's migrations applied, for the whole test session."""
    server = os.environ.get("FBJD_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if server:
        with own_database(server, "fbjd_test") as url:
            yield url
        return
    # Not under pytest's tmp dir: that is private to us, and as root the server runs as another user.
    parent = Path(tempfile.mkdtemp(prefix="fbjd-test-pg-"))
    parent.chmod(0o755)
    embedded = EmbeddedPostgres(parent / "data", database="fbjd_test")
    try:
        url = embedded.start()
        migrate_all(url)
        yield url
    finally:
        embedded.stop()
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return TEST_JWT_SECRET


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def make_token(jwt_secret: str) -> TokenFactory:
    """make_token(Role.CITY) or make_token(Role.ENTERPRISE, enterprise_id=...) → a bearer token."""

    def factory(
        role: Role, *, subject: str = "tester", county: str | None = None, enterprise_id: str | None = None
    ) -> str:
        principal = Principal(subject=subject, role=role, county=county, enterprise_id=enterprise_id)
        return issue_token(principal, secret=jwt_secret, ttl=timedelta(minutes=10))

    return factory


@pytest.fixture
def unused_port() -> int:
    return free_port()


@asynccontextmanager
async def serve(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app over real HTTP on 127.0.0.1 (in this event loop); yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server exited before starting")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
