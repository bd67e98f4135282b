"""The ingest path under a fault: the project's simulated terminals (history to deliver, so they send at full rate,
one packet after another as each 9014 arrives), the ingest process they talk to, and what ingest stored for them.

Each terminal remembers every packet it wrote (by QN, with the time) and every packet whose 9014 came back, so a
test can say exactly which readings ingest promised to keep, and compare them with ingest.readings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import httpx
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import from_cst
from fbjd_infra.simulators.clock import SimClock
from fbjd_infra.simulators.fleet import TerminalSpec, build_fleet
from fbjd_infra.simulators.register import device_payload
from fbjd_infra.simulators.terminal import Terminal, TerminalOptions
from hj212.message import Message

__all__ = [
    "Fleet",
    "ReadingKey",
    "RecordingTerminal",
    "Stored",
    "ingest_env",
    "make_fleet",
    "register",
    "stored_for",
]

ReadingKey = tuple[str, str, str, datetime]  # (MN, CN, factor code, DataTime UTC): ingest.readings' primary key
_QN = re.compile(rb"QN=(\d{17,20})")

# Quick to give up and reconnect (the standard's OverTime 10 s and ReCount 3 would stretch a test to minutes).
FAST_TERMINALS = TerminalOptions(
    ack_timeout_s=2.0, recount=1, reconnect_delay_s=0.1, reconnect_max_s=0.5, connect_timeout_s=3.0
)


def ingest_env(base: dict[str, str], *, database_url: str, jwt_secret: str, hj212_port: int) -> dict[str, str]:
    """The ingest process's environment: the HJ 212 listener on loopback, no set-up commands or gap filling
    (nothing but the terminals' own uploads and resends), no rules service to notify."""
    return {
        **base,
        "DATABASE_URL": database_url,
        "FBJD_JWT_SECRET": jwt_secret,
        "FBJD_HJ212_HOST": "127.0.0.1",
        "FBJD_HJ212_PORT": str(hj212_port),
        "FBJD_SETUP_ON_CONNECT": "false",
        "FBJD_GAP_FILL": "false",
        "FBJD_NOTIFY_RULES": "false",
        "FBJD_LOG_LEVEL": "WARNING",
    }


def reading_keys(message: Message) -> set[ReadingKey]:
    """The readings one data packet carries (one per factor code)."""
    local = message.data_time
    if local is None or message.mn is None or message.cn is None:
        raise AssertionError(f"not a data packet: {message}")
    data_time = from_cst(local)
    return {(message.mn, message.cn, code, data_time) for code in message.cp.factors}


class RecordingTerminal(Terminal):
    """A simulated terminal that keeps, per QN, when it wrote the packet and when the packet's 9014 came back."""

    def __init__(self, spec: TerminalSpec, *, port: int, options: TerminalOptions) -> None:
        super().__init__(spec, host="127.0.0.1", port=port, clock=SimClock(), options=options)
        self.writes: dict[str, list[float]] = defaultdict(list)
        self.acked: dict[str, tuple[float, Message]] = {}

    def write(self, frame: bytes) -> None:
        super().write(frame)
        found = _QN.search(frame, 0, 64)
        if found is not None:
            self.writes[found.group(1).decode()].append(time.monotonic())

    async def _send_part(self, message: Message, resend: bool) -> bool:
        answered = await super()._send_part(message, resend)
        if answered and message.needs_reply and message.qn:
            self.acked[message.qn] = (time.monotonic(), message)
        return answered

    @property
    def settled(self) -> bool:
        """Connected, nothing left to send, and every packet written has had its 9014 (none in flight)."""
        return self.connected and self.backlog == 0 and self.writes.keys() <= self.acked.keys()


def make_fleet(count: int, port: int, *, history_hours: float) -> list[RecordingTerminal]:
    """`count` terminals of a fresh simulated city, each with `history_hours` of minute data measured while the
    center could not be reached: what a terminal sends first thing after an outage, as fast as it is answered."""
    options = dataclasses.replace(FAST_TERMINALS, history_s=history_hours * 3600)
    specs = build_fleet(count, seed=random.randrange(1 << 30))
    return [RecordingTerminal(spec, port=port, options=options) for spec in specs]


@dataclass
class Fleet:
    terminals: list[RecordingTerminal]

    def __post_init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> int:
        """Switch the terminals on; returns how many records they hold to deliver (their history, measured as
        each one starts)."""
        self._tasks = [asyncio.create_task(t.run(), name=f"terminal-{t.spec.mn}") for t in self.terminals]
        await asyncio.sleep(0)
        return self.to_deliver

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.wait(self._tasks, timeout=10)
        failed = [t.exception() for t in self._tasks if t.done() and not t.cancelled() and t.exception()]
        assert not failed, f"terminals failed: {failed}"

    @property
    def specs(self) -> list[TerminalSpec]:
        return [t.spec for t in self.terminals]

    @property
    def mns(self) -> list[str]:
        return [t.spec.mn for t in self.terminals]

    @property
    def to_deliver(self) -> int:
        """Records not yet acknowledged, summed over the terminals."""
        return sum(t.backlog for t in self.terminals)

    @property
    def acked_count(self) -> int:
        return sum(len(t.acked) for t in self.terminals)

    @property
    def settled(self) -> bool:
        return all(t.settled for t in self.terminals)

    def ack_times(self) -> list[float]:
        return sorted(at for t in self.terminals for at, _ in t.acked.values())

    def write_times(self) -> list[float]:
        return sorted(at for t in self.terminals for times in t.writes.values() for at in times)

    def acked_keys(self) -> list[ReadingKey]:
        """Every reading of every acknowledged packet (a list: a reading acknowledged twice would show twice)."""
        return [key for t in self.terminals for _, message in t.acked.values() for key in reading_keys(message)]

    def resent(self) -> list[Message]:
        """Acknowledged packets that were written more than once (no 9014 in time, or cut off by a reconnect)."""
        return [m for t in self.terminals for qn, (_, m) in t.acked.items() if len(t.writes[qn]) > 1]

    def data_times(self) -> set[tuple[str, datetime]]:
        """(MN, DataTime) of every acknowledged packet: one receipt each (split parts share one)."""
        return {(m.mn or "", from_cst(m.data_time)) for t in self.terminals for _, m in t.acked.values() if m.data_time}

    def unsettled(self) -> list[str]:
        """What each terminal still waits for (for the message of a test that timed out)."""
        now = time.monotonic()
        return [
            f"{t.spec.mn}: connected={t.connected} backlog={t.backlog} "
            f"unanswered={len(t.writes.keys() - t.acked.keys())} "
            f"last write {now - max((w[-1] for w in t.writes.values()), default=now):.1f} s ago "
            f"connects={t.stats.connects} unacked={t.stats.unacked}"
            for t in self.terminals
            if not t.settled
        ]

    def connects(self) -> int:
        return sum(t.stats.connects for t in self.terminals)


async def register(ingest_url: str, token: str, specs: Iterable[TerminalSpec]) -> None:
    """Register each terminal with ingest, as an operator does before it is switched on."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=ingest_url, headers=headers, timeout=30) as client:
        for spec in specs:
            reply = await client.post("/api/ingest/devices", json=device_payload(spec))
            assert reply.status_code == 201, reply.text


@dataclass(frozen=True)
class Stored:
    readings: list[ReadingKey]  # every row of ingest.readings of the fleet
    receipts: int  # rows of ingest.receipts (one per MN, CN and DataTime)
    received_daily: int  # what the daily receipts rollup counted


async def stored_for(database_url: str, mns: list[str]) -> Stored:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await conn.fetch("SELECT mn, cn, code, data_time FROM ingest.readings WHERE mn = ANY($1::text[])", mns)
        receipts = await conn.fetchval("SELECT count(*) FROM ingest.receipts WHERE mn = ANY($1::text[])", mns)
        daily = await conn.fetchval(
            "SELECT coalesce(sum(received), 0) FROM ingest.receipts_daily WHERE mn = ANY($1::text[])", mns
        )
    finally:
        await conn.close()
    return Stored([(r["mn"], r["cn"], r["code"], r["data_time"]) for r in rows], int(receipts), int(daily))
