"""The whole platform as `fbjd run` starts it, in a child process on free ports: for end-to-end tests and for
the benchmarks that measure the platform as a user gets it (pipeline latency, web pages under load)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

__all__ = ["BootFailed", "BootedPlatform", "boot_platform", "free_port_block"]

READY_LINE = "fbjd is ready"
PORTS = 10  # gateway, HJ 212, six services, the simulated province, spare


class BootFailed(RuntimeError):
    """`fbjd run` exited or did not say it was ready in time; the message carries the end of its log."""


@dataclass(frozen=True)
class BootedPlatform:
    base_url: str
    hj212_port: int
    province_url: str
    admin_password: str
    log_path: Path
    database_url: str  # the platform's database (tests reach under the services' doors only to move time)
    pid: int
    started_at: datetime  # UTC, just before `fbjd run` started: the demo's live data begin after it

    def admin_token(self) -> str:
        return self.token("admin", self.admin_password)

    def token(self, username: str, password: str) -> str:
        reply = httpx.post(f"{self.base_url}/api/auth/token", data={"username": username, "password": password})
        reply.raise_for_status()
        token: str = reply.json()["access_token"]
        return token


def free_port_block(size: int = PORTS) -> int:
    """The first port of `size` consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        base = secrets.randbelow(20000) + 30000
        sockets = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                sockets.append(sock)  # closed below even when the bind fails
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports found")


@contextmanager
def boot_platform(
    database_url: str, *, simulator: bool = True, ready_timeout_s: float = 120.0
) -> Iterator[BootedPlatform]:
    """Start `fbjd run` against `database_url` (demo city and live terminals unless `simulator` is False),
    wait for its ready line, yield where it listens; on exit Ctrl-C the process group, as a person would."""
    base = free_port_block()
    started_at = datetime.now(UTC)
    password = f"Fbjd-{secrets.token_urlsafe(12)}"  # strong: the demo accounts get it too
    data_dir = Path(tempfile.mkdtemp(prefix="fbjd-platform-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FBJD_DATA_DIR": str(data_dir),
        "FBJD_HTTP_PORT": str(base),
        "FBJD_HJ212_PORT": str(base + 1),
        "FBJD_SERVICE_PORT_BASE": str(base + 2),
        "FBJD_ADMIN_PASSWORD": password,
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "fbjd_infra.cli", "run"] + ([] if simulator else ["--no-simulator"])
    log_path = data_dir / "platform.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_ready(process, log_path, ready_timeout_s)
            yield BootedPlatform(
                base_url=f"http://127.0.0.1:{base}",
                hj212_port=base + 1,
                province_url=f"http://127.0.0.1:{base + 8}",  # service port base + 6: the simulated province
                admin_password=password,
                log_path=log_path,
                database_url=database_url,
                pid=process.pid,
                started_at=started_at,
            )
        finally:
            _stop(process)
            shutil.rmtree(data_dir, ignore_errors=True)


def _wait_ready(process: subprocess.Popen[bytes], log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while READY_LINE not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise BootFailed(f"fbjd run did not become ready:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the whole process group; kill what is left after 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
