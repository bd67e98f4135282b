"""A service as `fbjd run` starts it (`python -m uvicorn --factory <package>.app:main`), in a process group of its
own, that a fault test kills with SIGKILL and starts again on the same port; and waiting for a condition."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from fbjd_infra.postgres import free_port

__all__ = ["ServiceProcess", "wait_until"]


class ServiceProcess:
    """One service's uvicorn process. Its output goes to `log_path`, whose end is quoted when it fails to start."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.name = name
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    async def start(self, timeout_s: float = 45.0) -> None:
        """Start the process and wait until GET /api/<name>/health answers 200."""
        command = [sys.executable, "-m", "uvicorn", "--factory", f"fbjd_{self.name}.app:main"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = asyncio.get_running_loop().time() + timeout_s
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            while asyncio.get_running_loop().time() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    if (await client.get(f"/api/{self.name}/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer its health check in {timeout_s} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the process group: no shutdown, no last flush or commit (a power cut, an OOM kill)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), SIGKILL after 15 s."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


async def wait_until(check: Callable[[], Awaitable[bool]], timeout_s: float, what: str, every_s: float = 0.1) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(every_s)
