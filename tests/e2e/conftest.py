"""Boots the whole platform the way `make run` does (`fbjd run`), on free ports, against the test database."""

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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

READY_LINE = "fbjd is ready"


@dataclass(frozen=True)
class Platform:
    base_url: str
    hj212_port: int
    province_url: str
    admin_password: str

    def admin_token(self) -> str:
        reply = httpx.post(
            f"{self.base_url}/api/auth/token", data={"username": "admin", "password": self.admin_password}
        )
        reply.raise_for_status()
        token: str = reply.json()["access_token"]
        return token


def _free_block(size: int) -> int:
    """The first port of `size` consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        base = secrets.randbelow(20000) + 30000
        sockets = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports found")


@pytest.fixture(scope="session")
def platform(database_url: str) -> Iterator[Platform]:
    base = _free_block(10)
    password = secrets.token_urlsafe(12)
    data_dir = Path(tempfile.mkdtemp(prefix="fbjd-e2e-"))
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
    log_path = data_dir / "platform.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fbjd_infra.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 90
            while READY_LINE not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"fbjd run did not become ready:\n{log_path.read_text()[-4000:]}")
                time.sleep(0.3)
            yield Platform(
                base_url=f"http://127.0.0.1:{base}",
                hj212_port=base + 1,
                province_url=f"http://127.0.0.1:{base + 8}",  # service port base + 6: the simulated province
                admin_password=password,
            )
        finally:
            _stop(process)
            shutil.rmtree(data_dir, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the whole process group, as a person would; kill what is left after 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
