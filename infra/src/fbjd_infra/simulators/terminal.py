"""One virtual data transmission terminal (数采仪): an asyncio TCP client speaking HJ 212 to the center.

Four loops run side by side:

* **measure** -- at every period end of the terminal's own clock, close the plant's period and queue a minute
  packet (2051, DataTime = period start); records are also kept in a bounded store for history requests;
* **realtime** -- when real-time uploads are on, a 2011 packet every RtdInterval (not kept, not resent);
* **link** -- connect (retrying with back-off: the center may still be starting), send the queue one packet at a
  time and wait for the 9014 carrying the packet's QN; no answer within OverTime: resend, ReCount times (Std
  §6.2, Table 1 defaults: 10 s and 3); still nothing: back to the backlog and reconnect;
* **outages** -- now and then the network goes away for a while: the connection drops, the terminal keeps
  measuring into its backlog, and after reconnecting sends the fresh packet first and then the history, oldest
  first (so the center sees old DataTimes, out of order). A share of the outages are **power losses** of the
  terminal (数采仪断电): it measures nothing while off (those minutes never exist), keeps what it had not yet
  delivered, and on power-on and connection first sends CN 2081 (DataTime = now, RestartTime = the power-on),
  then its history as after any outage. A power loss is only drawn where no injected violation is near (the
  ground truth does not score the unseen minutes): otherwise that outage stays a network one.

Commands from the center are answered the way a field unit does (9011 QnRtn, data, 9012 ExeRtn; see
:mod:`fbjd_infra.simulators.commands`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hj212.commands import QnRtn
from hj212.errors import CrcMismatch, FrameError, Hj212Error
from hj212.frame import Frame, FrameDecoder
from hj212.message import Message, encode, parse_message

from fbjd_infra.simulators.clock import SimClock, TerminalClock, align_up, local_of
from fbjd_infra.simulators.commands import CommandHandler
from fbjd_infra.simulators.fleet import TerminalSpec
from fbjd_infra.simulators.outbox import Outgoing
from fbjd_infra.simulators.packets import PacketBuilder, answer_9011
from fbjd_infra.simulators.plant import PeriodRecord, Plant

__all__ = ["TerminalOptions", "TerminalStats", "Terminal"]

log = logging.getLogger(__name__)

ANSWER_CNS = frozenset({"9013", "9014"})  # the center's answers to our uploads/notifications


@dataclass(frozen=True)
class TerminalOptions:
    """Behaviour of every terminal of a run.  Times marked *real* are wall-clock seconds, *simulated* follow
    ``--speed``: the network does not get faster when simulated time does."""

    ack_timeout_s: float = 10.0  # real; OverTime (CN 1000 changes it)
    recount: int = 3  # resends after the first try; ReCount (CN 1000 changes it)
    reconnect_delay_s: float = 2.0  # real; doubles up to reconnect_max_s while the center is unreachable
    reconnect_max_s: float = 30.0
    connect_timeout_s: float = 10.0  # real
    outage_rate_per_day: float = 0.0  # network outages per terminal per simulated day
    outage_minutes: tuple[float, float] = (5.0, 30.0)  # simulated
    power_loss_share: float = 0.0  # share of the outages that are power losses of the terminal (2081 on return)
    realtime: bool = False  # upload 2011 real-time data at RtdInterval
    backlog_max: int = 10_080  # packets kept while the center is unreachable (a week of 1-minute data)
    store_max: int = 4_320  # minute records kept for history requests (3 days of 1-minute data)
    history_s: float = 0.0  # simulated; measured before the start and delivered as after an outage (--history)


@dataclass
class TerminalStats:
    sent: int = 0  # data packets sent the first time
    resent: int = 0  # sent again: no answer in time, or from the backlog after a reconnect
    acked: int = 0  # answered with 9014
    unacked: int = 0  # given up after ReCount resends (kept in the backlog)
    dropped: int = 0  # lost because the backlog was full
    commands: int = 0  # center commands answered
    connects: int = 0
    outages: int = 0
    power_losses: int = 0

    def add(self, other: TerminalStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Terminal:
    """A simulated field unit.  ``await run()`` until cancelled."""

    def __init__(
        self,
        spec: TerminalSpec,
        *,
        host: str,
        port: int,
        clock: SimClock,
        options: TerminalOptions | None = None,
    ) -> None:
        self.spec = spec
        self.host = host
        self.port = port
        self.options = opts = options or TerminalOptions()
        self.clock = TerminalClock(clock, spec.clock_skew_s)
        self.plant = Plant(spec.plant)
        self.builder = PacketBuilder(spec.mn, spec.password, spec.version, spec.profile, spec.plant.meters)
        self.stats = TerminalStats()
        self.interval_s = spec.interval_s
        self.rtd_interval_s = spec.rtd_interval_s
        self.realtime = opts.realtime
        self.ack_timeout_s = opts.ack_timeout_s
        self.recount = opts.recount
        self.store: deque[PeriodRecord] = deque(maxlen=opts.store_max)
        self._live: deque[Outgoing] = deque()
        self._backlog: deque[Outgoing] = deque()
        self._wake = asyncio.Event()
        self._schedule_changed = asyncio.Event()
        self._realtime_changed = asyncio.Event()
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._lost = asyncio.Event()
        self._outage_until = 0.0  # shared simulated clock, POSIX s
        self._powered_off = False  # the current outage is a power loss: nothing is measured
        self._restart: datetime | None = None  # power came back then (terminal clock): 2081 on the next connection
        self._tasks: set[asyncio.Task[None]] = set()
        self._rng = random.Random(f"{spec.plant.seed}:net")
        self._commands = CommandHandler(self)
        #: windows (terminal clock, POSIX s) whose data went out as a resend burst: history and outages
        self.bursts: list[tuple[float, float]] = []
        #: power losses (terminal clock, POSIX s): off from, power back at
        self.power_losses: list[tuple[float, float]] = []

    # -- state ------------------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._writer is not None

    @property
    def backlog(self) -> int:
        """Packets measured but not yet acknowledged."""
        return len(self._live) + len(self._backlog)

    @property
    def in_outage(self) -> bool:
        return self.clock.base.timestamp() < self._outage_until

    # -- running ----------------------------------------------------------------------------------------------
    async def run(self) -> None:
        if self.options.history_s > 0:
            self.backfill(self.options.history_s)
        self.plant.catch_up(align_up(self.clock.timestamp(), self.interval_s) - self.interval_s)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._measure_loop())
                group.create_task(self._realtime_loop())
                group.create_task(self._link_loop())
                group.create_task(self._outage_loop())
        finally:
            for task in self._tasks:
                task.cancel()

    def backfill(self, seconds: float) -> None:
        """The last `seconds` measured while the center could not be reached: their minute records wait in the
        backlog and go out (QN of the moment they are sent) once connected — a terminal back after an outage."""
        period = self.interval_s
        end = align_up(self.clock.timestamp(), period) - period
        t = end - (seconds // period) * period
        self.plant.catch_up(t)
        self.bursts.append((t, end))
        while t < end:
            record = self.plant.close_period(t, t + period)
            self.store.append(record)
            self._backlog.append(Outgoing("2051", record))
            t += period

    @property
    def delivered(self) -> bool:
        """Connected and nothing waiting: every measured record so far has been acknowledged."""
        return self.connected and self.backlog == 0

    @property
    def powered_off(self) -> bool:
        return self._powered_off and self.in_outage

    def quiet_around(self, start: float, end: float, margin_s: float = 30 * 60.0) -> bool:
        """No injected violation of the plant within `margin_s` of [start, end] (terminal clock, POSIX s)."""
        t = start - margin_s
        while t <= end + margin_s:
            if self.plant.violation(t):
                return False
            t += 60.0
        return True

    async def outage(self, duration_s: float, *, power_loss: bool = False) -> None:
        """Lose the network for ``duration_s`` of simulated time (drops the connection now); with `power_loss`
        the terminal is off too: nothing is measured, and on power-on it reports its restart (2081)."""
        self._outage_until = self.clock.base.timestamp() + duration_s
        self._powered_off = power_loss
        self.stats.outages += 1
        now = self.clock.timestamp()
        if power_loss:
            self.stats.power_losses += 1
            self.power_losses.append((now, now + duration_s))
        else:
            self.bursts.append((now, now + duration_s))
        kind = "power loss" if power_loss else "network outage"
        log.info(kind, extra={"mn": self.spec.mn, "minutes": round(duration_s / 60, 1)})
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.transport.abort()

    def set_interval(self, seconds: int) -> None:
        self.interval_s = seconds
        self._schedule_changed.set()

    def set_clock(self, local: datetime) -> None:
        """Set the terminal's clock (CN 1012): periods follow the new time from now on."""
        self.clock.set_local(local)
        self._schedule_changed.set()

    def set_rtd_interval(self, seconds: int) -> None:
        self.rtd_interval_s = seconds
        self._realtime_changed.set()

    def set_realtime(self, on: bool) -> None:
        self.realtime = on
        self._realtime_changed.set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a command's handling beside the loops; errors other than a lost connection are logged."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None and not isinstance(exc, ConnectionError):
            log.error("command handling failed", extra={"mn": self.spec.mn}, exc_info=exc)

    async def _sleep_sim(self, sim_seconds: float, event: asyncio.Event | None = None) -> bool:
        """Sleep ``sim_seconds`` of simulated time; True when ``event`` fired first (it is cleared)."""
        delay = self.clock.real_seconds(sim_seconds)
        if event is None:
            await asyncio.sleep(delay)
            return False
        try:
            await asyncio.wait_for(event.wait(), delay)
        except TimeoutError:
            return False
        event.clear()
        return True

    # -- measuring --------------------------------------------------------------------------------------------
    async def _measure_loop(self) -> None:
        period = self.interval_s
        next_end = align_up(self.clock.timestamp(), period)
        last_end: float | None = None  # end of the last period reported
        while True:
            changed = await self._sleep_sim(next_end - self.clock.timestamp(), self._schedule_changed)
            now = self.clock.timestamp()
            limit = max(10 * period, 3600.0)
            if changed:  # new interval or clock set: the part-period so far is folded into the next record
                period = self.interval_s
                # never report a period twice: after a small step back, wait until the clock passes the last end
                floor = last_end if last_end is not None and 0 < last_end - now <= limit else now
                next_end = align_up(floor, period)
                continue
            if now < next_end:
                continue
            if self.powered_off:  # off: this period is never measured
                self.plant.catch_up(next_end)
                last_end = next_end
                next_end += period
                continue
            if now - next_end > limit:  # the clock jumped forward: do not replay the gap
                start = now // period * period
                self.plant.catch_up(start)
                next_end = start + period
                continue
            record = self.plant.close_period(next_end - period, next_end)
            self.store.append(record)
            self._queue(Outgoing("2051", record))
            last_end = next_end
            next_end += period

    async def _realtime_loop(self) -> None:
        while True:
            if not self.realtime:
                await self._realtime_changed.wait()
                self._realtime_changed.clear()
                continue
            at = align_up(self.clock.timestamp(), self.rtd_interval_s)
            if await self._sleep_sim(at - self.clock.timestamp(), self._realtime_changed):
                continue
            if not self.connected:
                continue
            values = self.plant.instant(at)
            local = self.clock.local()
            messages = self.builder.realtime(values, local_of(at), local)
            self._queue(Outgoing("2011", messages=messages, keep=False))

    def _queue(self, item: Outgoing) -> None:
        if self.connected:
            self._live.append(item)
        elif item.keep:
            self._backlog.append(item)
            while len(self._backlog) > self.options.backlog_max:
                self._backlog.popleft()
                self.stats.dropped += 1
        self._wake.set()

    def _requeue(self, item: Outgoing) -> None:
        if item.keep:
            self._backlog.appendleft(item)

    # -- network ----------------------------------------------------------------------------------------------
    async def _outage_loop(self) -> None:
        rate = self.options.outage_rate_per_day
        if rate <= 0:
            return
        low, high = self.options.outage_minutes
        while True:
            await self._sleep_sim(self._rng.expovariate(rate / 86400.0))
            duration = self._rng.uniform(low, high) * 60.0
            power_loss = self._rng.random() < self.options.power_loss_share
            now = self.clock.timestamp()
            await self.outage(duration, power_loss=power_loss and self.quiet_around(now, now + duration))

    def _power_on(self) -> None:
        """Power is back: the 2081 (RestartTime = now) goes out first on the next connection."""
        self._powered_off = False
        self._restart = self.clock.local()
        log.info("power on", extra={"mn": self.spec.mn})

    async def _link_loop(self) -> None:
        opts = self.options
        delay = opts.reconnect_delay_s
        while True:
            while self.in_outage:
                await self._sleep_sim(self._outage_until - self.clock.base.timestamp())
            if self._powered_off:
                self._power_on()
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), opts.connect_timeout_s
                )
            except (OSError, TimeoutError) as exc:
                log.debug("connect failed", extra={"mn": self.spec.mn, "error": str(exc)})
                await asyncio.sleep(delay * self._rng.uniform(0.8, 1.2))
                delay = min(delay * 2, opts.reconnect_max_s)
                continue
            delay = opts.reconnect_delay_s
            await self._session(reader, writer)
            if not self.in_outage:
                await asyncio.sleep(opts.reconnect_delay_s * self._rng.uniform(0.5, 1.0))

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: read answers and commands, send the queue, until the connection ends."""
        self.stats.connects += 1
        self._lost.clear()
        self._writer = writer
        while self._live:  # measured while we were not connected: fresh first, then the backlog
            self._backlog.append(self._live.popleft())
        if self._backlog:
            self._live.append(self._backlog.pop())
        if self._restart is not None:  # after power-on, the power-on time before anything else
            local = self.clock.local()
            self._live.appendleft(Outgoing("2081", messages=[self.builder.restart(self._restart, local)]))
            self._restart = None
        log.info("connected", extra={"mn": self.spec.mn, "backlog": self.backlog})
        read_task = asyncio.create_task(self._read_loop(reader))
        try:
            await self._send_loop()
        except ConnectionError as exc:
            log.info("connection lost", extra={"mn": self.spec.mn, "error": str(exc) or type(exc).__name__})
        finally:
            self._writer = None
            read_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await read_task
            self._fail_pending(ConnectionResetError("connection closed"))
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            while self._live:
                item = self._live.popleft()
                if item.keep:
                    self._backlog.append(item)

    async def _send_loop(self) -> None:
        while True:
            if self._lost.is_set():
                raise ConnectionResetError("closed by the center")
            item = self._live.popleft() if self._live else (self._backlog.popleft() if self._backlog else None)
            if item is None:
                self._wake.clear()
                lost = asyncio.ensure_future(self._lost.wait())
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait({lost, woken}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    lost.cancel()
                    woken.cancel()
                continue
            try:
                delivered = await self.deliver(item)
            except ConnectionError:
                self._requeue(item)
                raise
            if not delivered:
                self.stats.unacked += 1
                if item.keep:
                    self._backlog.append(item)
                log.warning("no answer from the center; reconnecting", extra={"mn": self.spec.mn, "cn": item.cn})
                return

    async def deliver(self, item: Outgoing) -> bool:
        """Send every part of ``item`` not yet answered; with A=1 wait for each 9014 (resending on time-out).
        False when a part went unanswered after ReCount resends.  Raises ConnectionError."""
        if item.messages is None:
            if item.record is None:
                raise ValueError("nothing to send")
            item.messages = self.builder.period(item.cn, item.record, self.clock.local())
        resend = item.tries > 0
        item.tries += 1
        for index, message in enumerate(item.messages):
            if index in item.acked_parts:
                continue
            if not await self._send_part(message, resend):
                return False
            item.acked_parts.add(index)
        return True

    async def _send_part(self, message: Message, resend: bool) -> bool:
        frame = encode(message)
        if not message.needs_reply:
            self.write(frame)
            self.stats.sent += 1
            return True
        qn = message.qn or ""
        for attempt in range(1 + self.recount):
            future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
            self._pending[qn] = future
            self.write(frame)
            if resend or attempt:
                self.stats.resent += 1
            else:
                self.stats.sent += 1
            try:
                await asyncio.wait_for(future, self.ack_timeout_s)
            except TimeoutError:
                log.debug("no 9014 in time", extra={"mn": self.spec.mn, "qn": qn, "attempt": attempt + 1})
                continue
            finally:
                if self._pending.get(qn) is future:
                    del self._pending[qn]
            self.stats.acked += 1
            return True
        return False

    def write(self, frame: bytes) -> None:
        writer = self._writer
        if writer is None or writer.is_closing():
            raise ConnectionResetError("not connected")
        writer.write(frame)

    def _fail_pending(self, exc: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
        self._pending.clear()

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        decoder = FrameDecoder()
        try:
            while data := await reader.read(65536):
                decoder.feed(data)
                for event in decoder.events():
                    if isinstance(event, Frame):
                        self._on_frame(event.segment)
                    else:
                        self._on_bad_frame(event)
        except (ConnectionError, OSError) as exc:
            log.debug("read failed", extra={"mn": self.spec.mn, "error": str(exc)})
        finally:
            self._lost.set()
            self._fail_pending(ConnectionResetError("connection closed"))

    def _on_frame(self, segment: bytes) -> None:
        try:
            message = parse_message(segment)
        except Hj212Error as exc:
            log.warning("unreadable packet from the center", extra={"mn": self.spec.mn, "error": str(exc)})
            return
        if message.cn in ANSWER_CNS:
            future = self._pending.get(message.qn or "")
            if future is not None and not future.done():
                future.set_result(message)
            return
        if message.cn in ("9011", "9012"):
            return  # the center's answers to commands we never send
        self.spawn(self._commands.handle(message))

    def _on_bad_frame(self, error: FrameError) -> None:
        log.warning("bad packet from the center", extra={"mn": self.spec.mn, "error": str(error)})
        if isinstance(error, CrcMismatch) and error.frame is not None:
            try:
                message = parse_message(error.frame.segment)
            except Hj212Error:
                return
            if message.qn and message.cn not in ANSWER_CNS and message.needs_reply:
                with contextlib.suppress(ConnectionError):
                    self.write(answer_9011(message, QnRtn.CRC_ERROR))
