"""The load generator: many HJ 212 terminals in one process, as cheap per packet as we can make them.

One :class:`asyncio.Protocol` per connection (no task, no ``await`` per packet; run it on uvloop).  Each terminal
keeps one packet in flight, like a real field unit waiting for its 9014.  Two ways to drive them:

* **paced** -- each terminal sends every ``terminals / rate`` seconds (random phase); a packet still unanswered
  when the next is due delays it (counted as ``late``).  This measures latency at a given offered load.
* **max** -- each terminal sends its next packet as soon as the previous one is answered: the highest
  throughput the center sustains with this many terminals (latency then grows with the queue).

Packets come from a template made once per terminal with the shared codec (:func:`hj212.message.encode_message`
then :func:`hj212.frame.build_frame` per packet): a minute packet (2051, ST=44, Flag=5) with ``factors`` factor
codes of the ``hj212-2025-electric`` profile, so every packet is ``factors`` readings.  Each packet has its own
QN and a DataTime one minute older than the previous one, so no two packets of a terminal collide in the
readings table (the center must store each exactly once), and all DataTimes are too old to look like live
data (no gap filling, no clock corrections, as with a terminal pushing its backlog).

Commands the center sends (its set-up on first contact: 1012, 1000, 1062, 1064) are answered 9011 + 9012.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from fbjd_core.time import CST
from hj212.commands import ExeRtn, QnRtn, execute_result, request_response
from hj212.errors import Hj212Error
from hj212.frame import Frame, FrameDecoder, build_frame
from hj212.message import CP, Message, encode, encode_message, format_time, parse_message
from hj212.versions import Version, make_flag

__all__ = ["BenchTerminal", "LoadGenerator", "PacketTemplate", "WindowResult", "factor_codes"]

log = logging.getLogger(__name__)

_QN_MARK = "Q" * 17  # placeholders that cannot occur elsewhere in a segment (MN and values are hex/digits)
_DT_MARK = "Z" * 14
_ACK = b";CN=9014;"
MAX_CP = 950


def factor_codes(count: int) -> list[str]:
    """``count`` distinct codes of the hj212-2025-electric profile (d2PPNN production, d3PPNN treatment)."""
    codes: list[str] = []
    for i in range(count):
        group = "d2" if (i // 7) % 2 == 0 else "d3"
        codes.append(f"{group}{i % 7 + 1:02d}{i // 14 + 1:02d}")
    return codes


@dataclass(frozen=True, slots=True)
class BenchTerminal:
    mn: str
    password: str
    ps_id: str


class PacketTemplate:
    """A terminal's minute packet with holes for QN and DataTime."""

    def __init__(self, terminal: BenchTerminal, factors: int, rng: random.Random) -> None:
        values: dict[str, dict[str, str]] = {}
        for code in factor_codes(factors):
            base = rng.uniform(1, 500)
            values[code] = {"Avg": f"{base:.2f}", "Min": f"{base * 0.97:.2f}", "Max": f"{base * 1.03:.2f}", "Flag": "N"}
        message = Message(
            qn=_QN_MARK,
            st="44",
            cn="2051",
            pw=terminal.password,
            mn=terminal.mn,
            flag=make_flag(Version.HJ212_2017, needs_reply=True),
            cp=CP({"DataTime": _DT_MARK}, values),
        )
        segment = encode_message(message).decode()
        cp_len = len(segment) - segment.index("CP=&&")
        if cp_len > MAX_CP:  # keep every reading, drop Min/Max/Flag so the packet stays within HJ 212's limits
            slim = {code: {"Avg": v["Avg"]} for code, v in values.items()}
            message = Message(
                qn=_QN_MARK,
                st=message.st,
                cn=message.cn,
                pw=message.pw,
                mn=message.mn,
                flag=message.flag,
                cp=CP({"DataTime": _DT_MARK}, slim),
            )
            segment = encode_message(message).decode()
        if len(segment) - segment.index("CP=&&") > MAX_CP:
            raise ValueError(f"{factors} factors do not fit in one packet (CP is limited to {MAX_CP} characters)")
        head, _, rest = segment.partition(_QN_MARK)
        middle, _, tail = rest.partition(_DT_MARK)
        self._head, self._middle, self._tail = head.encode(), middle.encode(), tail.encode()
        self.factors = factors

    def frame(self, qn: str, data_time: str) -> bytes:
        return build_frame(self._head + qn.encode() + self._middle + data_time.encode() + self._tail)


@dataclass
class WindowResult:
    """What happened in one measured window."""

    name: str
    seconds: float
    offered_packets_s: float | None
    sent: int
    acked: int
    late: int
    latencies_ms: array[float] = field(default_factory=lambda: array("d"))

    @property
    def packets_s(self) -> float:
        return self.acked / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class _Conn(asyncio.Protocol):
    def __init__(self, gen: LoadGenerator, terminal: BenchTerminal, template: PacketTemplate, seq0: int) -> None:
        self.gen = gen
        self.terminal = terminal
        self.template = template
        self.decoder = FrameDecoder()
        self.transport: asyncio.Transport | None = None
        self.seq = seq0
        self.outstanding: bytes | None = None  # QN of the packet in flight
        self.sent_at = 0.0
        self.due = False  # paced: the next packet is due but the previous is unanswered
        self.timer: asyncio.TimerHandle | None = None
        self.period = 0.0
        self.next_at = 0.0
        self.closed = asyncio.get_running_loop().create_future()

    # -- asyncio.Protocol -------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio.Transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.timer is not None:
            self.timer.cancel()
        if self.outstanding is not None:
            self.gen.lost_in_flight += 1
            self.outstanding = None
        if not self.closed.done():
            self.closed.set_result(None)
        self.gen.check_drained()
        if self.gen.running:
            self.gen.disconnects += 1
            log.warning("bench terminal disconnected", extra={"mn": self.terminal.mn, "error": str(exc)})

    def data_received(self, data: bytes) -> None:
        decoder = self.decoder
        decoder.feed(data)
        for event in decoder.events():
            if not isinstance(event, Frame):
                self.gen.bad_frames += 1
                continue
            segment = event.segment
            if _ACK in segment and segment.startswith(b"QN="):
                self._acked(segment[3:20])
            else:
                self._command(segment)

    # -- sending ----------------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Its whole quota sent (max mode with a quota: a terminal's backlog)."""
        return self.gen.quota is not None and self.seq >= self.gen.quota

    def send(self) -> None:
        if self.transport is None:
            return
        gen = self.gen
        seq = self.seq
        self.seq += 1
        qn = format_time(gen.qn_base + timedelta(milliseconds=seq), milliseconds=True)
        data_time = format_time(gen.dt_base - timedelta(minutes=seq))
        frame = self.template.frame(qn, data_time)
        self.outstanding = qn.encode()
        self.due = False
        self.sent_at = now = time.perf_counter()
        self.transport.write(frame)
        gen.sent += 1
        if gen.window_start <= now < gen.window_end:
            gen.window_sent += 1

    def _acked(self, qn: bytes) -> None:
        if qn != self.outstanding:
            self.gen.stray_acks += 1
            return
        gen = self.gen
        now = time.perf_counter()
        self.outstanding = None
        gen.acked += 1
        if gen.window_start <= now < gen.window_end:
            gen.window_acked += 1
        if gen.window_start <= self.sent_at < gen.window_end:
            gen.latencies.append((now - self.sent_at) * 1000.0)
        if not gen.running:
            gen.check_drained()
            return
        if (gen.mode == "max" and not self.done) or self.due:
            self.send()

    def tick(self) -> None:
        """Paced mode: the next packet is due."""
        gen = self.gen
        if not gen.running or gen.mode != "paced" or self.transport is None:
            return
        if self.outstanding is None:
            self.send()
        else:
            self.due = True
            if gen.window_start <= time.perf_counter() < gen.window_end:
                gen.window_late += 1
        self.next_at += self.period
        loop = asyncio.get_running_loop()
        self.timer = loop.call_at(max(self.next_at, loop.time()), self.tick)

    def _command(self, segment: bytes) -> None:
        try:
            message = parse_message(segment)
        except Hj212Error:
            self.gen.bad_frames += 1
            return
        if message.cn in ("9011", "9012", "9013", "9014") or self.transport is None:
            return
        self.gen.commands += 1
        history = message.cn in ("2031", "2051", "2061")
        self.transport.write(encode(request_response(message, QnRtn.READY)))
        self.transport.write(encode(execute_result(message, ExeRtn.NO_DATA if history else ExeRtn.SUCCESS)))


class LoadGenerator:
    """Connections for ``terminals``; run measured windows with :meth:`window`."""

    def __init__(
        self, host: str, port: int, terminals: Sequence[BenchTerminal], *, factors: int, seed: int = 212
    ) -> None:
        self.host, self.port = host, port
        self.terminals = list(terminals)
        self.factors = factors
        rng = random.Random(seed)
        self.templates = [PacketTemplate(t, factors, rng) for t in self.terminals]
        now_cst = datetime.now(CST).replace(tzinfo=None)
        self.qn_base = now_cst
        # one minute older per packet, starting well in the past: no packet looks live
        self.dt_base = now_cst.replace(second=0, microsecond=0) - timedelta(minutes=30)
        self.conns: list[_Conn] = []
        self.mode = "paced"
        self.running = False
        self.quota: int | None = None  # max mode: packets per terminal, then it stops (a backlog resent)
        self.sent = self.acked = self.commands = self.bad_frames = self.stray_acks = 0
        self.disconnects = self.lost_in_flight = 0
        self.window_start = self.window_end = float("inf")
        self.window_sent = self.window_acked = self.window_late = 0
        self.latencies: array[float] = array("d")
        self._drained: asyncio.Future[None] | None = None

    async def connect(self, *, concurrency: int = 100) -> None:
        loop = asyncio.get_running_loop()
        semaphore = asyncio.Semaphore(concurrency)

        async def one(index: int) -> _Conn:
            async with semaphore:
                conn = _Conn(self, self.terminals[index], self.templates[index], seq0=0)
                await loop.create_connection(lambda: conn, self.host, self.port)
                return conn

        self.conns = list(await asyncio.gather(*(one(i) for i in range(len(self.terminals)))))

    def start(self, mode: str, packets_per_s: float | None) -> None:
        """Start sending: paced at ``packets_per_s`` in total, or as fast as answers come (``max``)."""
        loop = asyncio.get_running_loop()
        self.mode = mode
        self.running = True
        rng = random.Random(len(self.conns))
        for conn in self.conns:
            if conn.timer is not None:
                conn.timer.cancel()
            if mode == "paced":
                if not packets_per_s:
                    raise ValueError("paced mode needs a rate")
                conn.period = len(self.conns) / packets_per_s
                conn.next_at = loop.time() + rng.uniform(0, conn.period)
                conn.timer = loop.call_at(conn.next_at, conn.tick)
            elif conn.outstanding is None and not conn.done:
                conn.send()

    async def window(self, name: str, seconds: float, offered_packets_s: float | None) -> WindowResult:
        """Measure for ``seconds`` while the terminals keep sending."""
        self.window_sent = self.window_acked = self.window_late = 0
        self.latencies = array("d")
        self.window_start = time.perf_counter()
        self.window_end = self.window_start + seconds
        await asyncio.sleep(seconds)
        result = WindowResult(
            name, seconds, offered_packets_s, self.window_sent, self.window_acked, self.window_late, self.latencies
        )
        self.window_start = self.window_end = float("inf")
        return result

    async def stop(self, timeout: float = 60.0) -> int:
        """Stop sending and wait for every packet in flight to be answered; returns how many never were."""
        self.running = False
        for conn in self.conns:
            if conn.timer is not None:
                conn.timer.cancel()
        self._drained = asyncio.get_running_loop().create_future()
        self.check_drained()
        try:
            await asyncio.wait_for(asyncio.shield(self._drained), timeout)
        except TimeoutError:
            pass
        return self.in_flight

    @property
    def in_flight(self) -> int:
        return sum(conn.outstanding is not None for conn in self.conns)

    def check_drained(self) -> None:
        if self._drained is not None and not self._drained.done() and self.in_flight == 0:
            self._drained.set_result(None)

    async def close(self) -> None:
        for conn in self.conns:
            if conn.transport is not None:
                conn.transport.close()
        await asyncio.gather(*(conn.closed for conn in self.conns))
