"""What the benchmark runs against: a fresh database, every migration, the ingest service as its own process.

* Database: on the server of ``DATABASE_URL`` a throw-away database ``fbjd_bench_<hex>`` (dropped afterwards);
  without it an embedded PostgreSQL in a temporary directory (made world-traversable: as root the server runs
  as ``postgres``), stopped and removed afterwards.
* Ingest: ``python -m uvicorn --factory fbjd_ingest.app:main`` with DATABASE_URL, FBJD_JWT_SECRET and
  FBJD_HJ212_PORT in its environment, so its CPU and memory can be watched from outside (psutil, py-spy).
* Devices are registered through ingest's HTTP API (``POST /api/ingest/devices``) with an admin token minted
  with the JWT secret we gave it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
from fbjd_core.auth import Principal, Role, issue_token
from fbjd_core.settings import asyncpg_dsn

from fbjd_infra.bench.loadgen import BenchTerminal
from fbjd_infra.migrate import migrate_all
from fbjd_infra.postgres import EmbeddedPostgres, free_port

__all__ = ["BenchError", "Database", "IngestProcess", "bench_database", "register_devices", "count_rows"]

log = logging.getLogger(__name__)


class BenchError(RuntimeError):
    """The benchmark could not set itself up (database, ingest process, registration)."""


@dataclass(frozen=True)
class Database:
    url: str
    embedded: bool
    postmaster_pid: int | None  # embedded server only: the root of the postgres process tree


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def bench_database() -> Iterator[Database]:
    """A fresh, migrated database for one benchmark run."""
    server = os.environ.get("DATABASE_URL")
    if server:
        name = f"fbjd_bench_{uuid.uuid4().hex[:8]}"
        admin_url = _with_database(server, "postgres")
        asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
        try:
            url = _with_database(server, name)
            migrate_all(url)
            yield Database(url, embedded=False, postmaster_pid=None)
        finally:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    parent = Path(tempfile.mkdtemp(prefix="fbjd-bench-pg-"))
    parent.chmod(0o755)  # as root the server runs as `postgres`, which must reach its data directory
    embedded = EmbeddedPostgres(parent / "data", database="fbjd_bench")
    try:
        url = embedded.start()
        migrate_all(url)
        pid_file = (parent / "data").resolve() / "postmaster.pid"
        pid = int(pid_file.read_text().splitlines()[0]) if pid_file.exists() else None
        yield Database(url, embedded=True, postmaster_pid=pid)
    finally:
        embedded.stop()
        shutil.rmtree(parent, ignore_errors=True)


class IngestProcess:
    """The ingest service in its own process (HTTP on ``http_port``, HJ 212 on ``hj212_port``)."""

    def __init__(
        self, database_url: str, *, log_path: Path, loop: str = "auto", extra_env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.loop = loop
        self.jwt_secret = secrets.token_urlsafe(32)
        self.http_port = free_port()
        self.hj212_port = free_port()
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise BenchError("ingest is not running")
        return self.proc.pid

    def admin_token(self) -> str:
        principal = Principal(subject="bench", role=Role.ADMIN)
        return issue_token(principal, secret=self.jwt_secret, ttl=timedelta(hours=2))

    async def start(self, timeout: float = 60.0) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "FBJD_JWT_SECRET": self.jwt_secret,
            "FBJD_HJ212_PORT": str(self.hj212_port),
            "FBJD_HJ212_HOST": "127.0.0.1",
            "FBJD_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "fbjd_ingest.app:main",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.http_port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--loop",
            self.loop,
        ]
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if self.proc.poll() is not None:
                    raise BenchError(f"ingest exited with {self.proc.returncode}: {self.tail()}")
                try:
                    response = await client.get(f"{self.base_url}/api/ingest/health")
                    if response.status_code == 200 and await _port_open("127.0.0.1", self.hj212_port):
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchError(f"ingest did not answer within {timeout:.0f} s: {self.tail()}")
                await asyncio.sleep(0.2)

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("ingest did not stop in time; killing it")
            self.proc.kill()
            self.proc.wait()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


async def _port_open(host: str, port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


@asynccontextmanager
async def running_ingest(database_url: str, log_path: Path, *, loop: str = "auto") -> AsyncIterator[IngestProcess]:
    ingest = IngestProcess(database_url, log_path=log_path, loop=loop)
    try:
        await ingest.start()
        yield ingest
    finally:
        ingest.stop()


async def register_devices(
    ingest: IngestProcess, terminals: Sequence[BenchTerminal], *, interval_s: int = 60, concurrency: int = 16
) -> None:
    """Register the bench terminals through ingest's API (201 or 409 are both fine)."""
    headers = {"Authorization": f"Bearer {ingest.admin_token()}"}
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=ingest.base_url, headers=headers, timeout=30.0) as client:

        async def one(terminal: BenchTerminal) -> None:
            payload = {
                "mn": terminal.mn,
                "password": terminal.password,
                "ps_id": terminal.ps_id,
                "name": f"bench {terminal.mn[-6:]}",
                "profile": "hj212-2025-electric",
                "min_interval_s": interval_s,
                "rtd_interval_s": 60,
            }
            async with semaphore:
                response = await client.post("/api/ingest/devices", json=payload)
            if response.status_code not in (201, 409):
                raise BenchError(f"registering {terminal.mn} failed: HTTP {response.status_code} {response.text[:300]}")

        await asyncio.gather(*(one(t) for t in terminals))


async def count_rows(database_url: str, mns: Sequence[str]) -> tuple[int, int]:
    """(readings, receipts) stored for these terminals."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        readings = await conn.fetchval("SELECT count(*) FROM ingest.readings WHERE mn = ANY($1::text[])", list(mns))
        receipts = await conn.fetchval("SELECT count(*) FROM ingest.receipts WHERE mn = ANY($1::text[])", list(mns))
        return int(readings), int(receipts)
    finally:
        await conn.close()


async def server_version(database_url: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
