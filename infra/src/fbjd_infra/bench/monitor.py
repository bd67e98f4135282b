"""Where the CPU and memory go: psutil samples of the ingest process, PostgreSQL and the load generator, and
an optional py-spy profile of the ingest process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, NamedTuple

import psutil

__all__ = [
    "CpuSnapshot",
    "CpuSplit",
    "CpuSampler",
    "Profile",
    "RssWatcher",
    "background_load",
    "find_py_spy",
    "py_spy_profile",
    "summarise_collapsed",
]

log = logging.getLogger(__name__)


def _cpu_seconds(proc: psutil.Process, *, reaped_children: bool = False) -> float:
    """User + system CPU seconds; with ``reaped_children`` also those of its children that have ended (the
    postmaster's short-lived autovacuum and parallel workers, which no snapshot would catch alive)."""
    try:
        times = proc.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    total = times.user + times.system
    if reaped_children:
        total += times.children_user + times.children_system
    return float(total)


def _postgres_processes(postmaster_pid: int | None) -> list[psutil.Process]:
    """The embedded server's process tree; otherwise every local process called postgres."""
    if postmaster_pid is not None:
        for _attempt in range(3):  # a backend ending while we walk the tree makes psutil give up: walk again
            try:
                root = psutil.Process(postmaster_pid)
                return [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return []
    found = []
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] in ("postgres", "postmaster"):
            found.append(proc)
    return found


@dataclass
class CpuSplit:
    """CPU used during a window, as a share of the whole machine (100% = every core busy)."""

    seconds: float
    cores: int
    loadgen: float
    ingest: float
    postgres: float
    kernel: float  # interrupts and softirqs (much of loopback TCP), steal: charged to no process
    other: float  # every other process: other sessions' work on a shared machine
    idle: float

    COLUMNS: ClassVar[tuple[str, ...]] = ("loadgen", "ingest", "postgres", "kernel", "other", "idle")

    def as_row(self) -> dict[str, str]:
        return {name: f"{getattr(self, name):.0f}%" for name in self.COLUMNS}


class CpuSnapshot(NamedTuple):
    at: float
    loadgen: float
    ingest: float
    postgres: float
    kernel: float
    busy: float


class CpuSampler:
    """Snapshots CPU seconds of the parties; :meth:`split` gives their shares between two snapshots."""

    def __init__(self, ingest_pid: int, postmaster_pid: int | None) -> None:
        self.ingest = psutil.Process(ingest_pid)
        self.me = psutil.Process(os.getpid())
        self.postmaster_pid = postmaster_pid
        self.cores = psutil.cpu_count() or 1
        self._pg_seen: dict[int, float] = {}

    def _postgres(self) -> float:
        # backends come and go: keep the last value of processes that ended so they still count
        for proc in _postgres_processes(self.postmaster_pid):
            used = _cpu_seconds(proc, reaped_children=proc.pid == self.postmaster_pid)
            self._pg_seen[proc.pid] = max(self._pg_seen.get(proc.pid, 0.0), used)
        return sum(self._pg_seen.values())

    def snapshot(self) -> CpuSnapshot:
        t = psutil.cpu_times()
        kernel = sum(float(getattr(t, name, 0.0)) for name in ("irq", "softirq", "steal"))
        # guest time is already part of user time
        busy = sum(float(getattr(t, name, 0.0)) for name in ("user", "nice", "system", "irq", "softirq", "steal"))
        return CpuSnapshot(
            time.monotonic(), _cpu_seconds(self.me), _cpu_seconds(self.ingest), self._postgres(), kernel, busy
        )

    def split(self, start: CpuSnapshot, end: CpuSnapshot) -> CpuSplit:
        wall = end.at - start.at
        share = 100.0 / max(wall * self.cores, 1e-9)
        loadgen, ingest, postgres, kernel, busy = ((end[i] - start[i]) * share for i in range(1, 6))
        other = max(0.0, busy - loadgen - ingest - postgres - kernel)
        return CpuSplit(wall, self.cores, loadgen, ingest, postgres, kernel, other, max(0.0, 100.0 - busy))


async def background_load(seconds: float = 2.0) -> float:
    """How busy the machine is (percent of all cores) while we do nothing: other sessions, builds, tests."""
    before = psutil.cpu_times()
    await asyncio.sleep(seconds)
    after = psutil.cpu_times()
    total = sum(after) - sum(before)
    idle = (after.idle - before.idle) + (getattr(after, "iowait", 0.0) - getattr(before, "iowait", 0.0))
    return 100.0 * (1.0 - idle / total) if total > 0 else 0.0


class RssWatcher:
    """Peak resident memory of a process, sampled every ``every_s`` seconds."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self.proc = psutil.Process(pid)
        self.every_s = every_s
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> int:
        with contextlib.suppress(psutil.NoSuchProcess):
            self.peak = max(self.peak, int(self.proc.memory_info().rss))
        return self.peak

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.every_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> int:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.sample()


def find_py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return str(beside)
    return shutil.which("py-spy")


@dataclass
class Profile:
    """A sampled profile, summarised: share of samples by leaf function and by package (inclusive)."""

    samples: int
    seconds: float
    by_function: list[tuple[str, float]] = field(default_factory=list)
    by_package: list[tuple[str, float]] = field(default_factory=list)


_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")
_PACKAGES = (
    ("asyncpg", "asyncpg (PostgreSQL driver)"),
    ("hj212/", "hj212 codec"),
    ("fbjd_ingest/readings/writer", "ingest batched writer"),
    ("fbjd_ingest/readings", "ingest readings (rows, store)"),
    ("fbjd_ingest/tcp", "ingest TCP sessions + handler"),
    ("fbjd_ingest/commands", "ingest commands/supervisor"),
    ("fbjd_ingest", "ingest (other)"),
    ("uvloop", "event loop (uvloop/asyncio: polling, socket I/O)"),
    ("asyncio", "event loop (uvloop/asyncio: polling, socket I/O)"),
    ("sqlalchemy", "sqlalchemy"),
    ("uvicorn", "uvicorn / HTTP"),
    ("starlette", "uvicorn / HTTP"),
    ("fastapi", "uvicorn / HTTP"),
)


def _package(path: str) -> str:
    for needle, name in _PACKAGES:
        if needle in path:
            return name
    return "other"


def _short(func: str, path: str) -> str:
    parts = Path(path).parts
    tail = "/".join(parts[-2:]) if len(parts) >= 2 else path
    return f"{func} ({tail})"


def summarise_collapsed(text: str, seconds: float, top: int = 12) -> Profile:
    """Summarise py-spy's ``--format raw`` output (collapsed stacks: ``frame;frame;frame count``)."""
    by_leaf: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f for f in stack.split(";") if f]
        parsed = [(_FRAME.match(f.strip())) for f in frames]
        leaves = [m for m in parsed if m is not None]
        if leaves:
            leaf = leaves[-1]
            by_leaf[_short(leaf.group("func"), leaf.group("file"))] += count
        # inclusive by package: innermost recognisable package of the stack gets the sample
        package = "other"
        for m in reversed(leaves):
            name = _package(m.group("file"))
            if name != "other":
                package = name
                break
        by_package[package] += count
    if not total:
        return Profile(0, seconds)
    return Profile(
        total,
        seconds,
        [(name, 100.0 * n / total) for name, n in by_leaf.most_common(top)],
        [(name, 100.0 * n / total) for name, n in by_package.most_common()],
    )


async def py_spy_profile(py_spy: str, pid: int, seconds: float, out: Path) -> Profile | None:
    """Sample ``pid`` for ``seconds`` with py-spy (non-blocking, 100 Hz); None when py-spy fails."""
    argv = [
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "100",
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(out),
    ]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _out, err = await proc.communicate()
    if proc.returncode != 0 or not out.exists():
        log.warning("py-spy failed; no profile", extra={"rc": proc.returncode, "error": err.decode()[-300:]})
        return None
    return summarise_collapsed(out.read_text(errors="replace"), seconds)
