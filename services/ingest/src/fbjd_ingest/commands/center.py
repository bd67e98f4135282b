"""What the center asks of terminals on its own: the §6.7 set-up, clock corrections and gap filling.

* Set-up (Std §6.7), once per MN per connection, in the standard's order, each step waiting for the previous
  one's 9012: 1012 set time, 1000 time-out/resends, 1062 real-time interval, 1064 minute interval (the device
  record's values).
* Clock: judged on real-time data (2011) only — its DataTime is the sampling instant, sent at once. A 2011 whose
  QN (the terminal's send time) is well after its DataTime is a resend of stored data and is not judged. More
  than `clock_skew_s` off the center clock → 1012, at most once per `clock_command_interval_s` per device
  (a needless 1012 is harmless: it sets the right time). A terminal's 1013 request is answered with 1012 too.
* Gap filling: when minute (2051) or hour (2061) data arrives live and the previous DataTime of that device
  and CN is more than one interval earlier, ask the terminal for the missing periods (BeginTime/EndTime), at
  most one history request outstanding per device; gaps found meanwhile are merged and asked next. A request
  cut off by a disconnect is asked again on the device's next connection.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from fbjd_core.time import from_cst, now, to_cst
from hj212 import Message, get_history, set_min_interval, set_rtd_interval, set_time, set_timeout_retries

from fbjd_ingest.commands.dispatcher import CommandBuilder, CommandDispatcher, TerminalLink
from fbjd_ingest.config import Settings
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_ingest.tcp.stats import IngestStats

__all__ = ["TerminalSupervisor", "cst_wall_clock", "setup_steps"]

log = logging.getLogger(__name__)

GAP_CNS = ("2051", "2061")


def cst_wall_clock(moment: datetime | None = None) -> datetime:
    """A naive CST wall-clock time, as HJ 212 fields carry it."""
    return to_cst(moment or now()).replace(tzinfo=None)


def setup_steps(link: TerminalLink, device: DeviceInfo, settings: Settings) -> list[CommandBuilder]:
    """The §6.7 set-up commands for a device, in the standard's order."""
    address = link.address()
    steps: list[CommandBuilder] = [
        lambda t: set_time(cst_wall_clock(), now=t, **address),
        lambda t: set_timeout_retries(settings.terminal_overtime_s, settings.terminal_recount, now=t, **address),
    ]
    if 30 <= device.rtd_interval_s <= 3600:
        steps.append(lambda t: set_rtd_interval(device.rtd_interval_s, now=t, **address))
    if device.min_interval_s % 60 == 0:
        steps.append(lambda t: set_min_interval(device.min_interval_s // 60, now=t, **address))
    return steps


class TerminalSupervisor:
    def __init__(
        self, settings: Settings, dispatcher: CommandDispatcher, pool: asyncpg.Pool, stats: IngestStats
    ) -> None:
        self._settings = settings
        self._dispatcher = dispatcher
        self._pool = pool
        self._stats = stats
        self._clock_sent: dict[str, float] = {}
        self._last: dict[tuple[str, str], datetime] = {}
        self._gaps: dict[str, dict[str, tuple[datetime, datetime]]] = {}
        self._history_busy: set[str] = set()

    # -- connection set-up ------------------------------------------------------------------------------------
    def first_contact(self, link: TerminalLink, device: DeviceInfo) -> None:
        if self._settings.setup_on_connect:
            link.channel.spawn(self._setup(link, device))
        if self._gaps.get(device.mn):
            link.channel.spawn(self._fill_gaps(link))

    async def _setup(self, link: TerminalLink, device: DeviceInfo) -> None:
        for build in setup_steps(link, device, self._settings):
            result = await self._dispatcher.send(link, build, origin="setup")
            if result.state == "disconnected":
                return

    # -- clock ------------------------------------------------------------------------------------------------
    def time_requested(self, link: TerminalLink) -> None:
        """The terminal sent 1013 (time-calibration request): set its time."""
        self._send_time(link, origin="time_request")

    def _send_time(self, link: TerminalLink, *, origin: str) -> None:
        address = link.address()
        self._clock_sent[link.mn] = asyncio.get_running_loop().time()
        link.channel.spawn(
            self._dispatcher.send(link, lambda t: set_time(cst_wall_clock(), now=t, **address), origin=origin)
        )

    def _check_clock(
        self, link: TerminalLink, device: DeviceInfo, msg: Message, data_time: datetime, received_at: datetime
    ) -> None:
        offset = (data_time - received_at).total_seconds()
        if abs(offset) <= self._settings.clock_skew_s:
            return
        qn_time = msg.qn_time
        resend_margin = max(60.0, 2.0 * device.rtd_interval_s)
        if qn_time is not None and (from_cst(qn_time) - data_time).total_seconds() > resend_margin:
            return  # the terminal itself says it sends old data: a resend, not a clock error
        last = self._clock_sent.get(link.mn)
        loop_now = asyncio.get_running_loop().time()
        if last is not None and loop_now - last < self._settings.clock_command_interval_s:
            return
        self._stats.clock_corrections += 1
        log.warning(
            "terminal clock is off; sending 1012",
            extra={"mn": link.mn, "offset_s": round(offset, 1), "peer": link.channel.peer},
        )
        self._send_time(link, origin="clock_skew")

    # -- after every stored upload ------------------------------------------------------------------------------
    def after_upload(
        self, link: TerminalLink, device: DeviceInfo, msg: Message, data_time: datetime, received_at: datetime
    ) -> None:
        cn = msg.cn or ""
        if cn == "2011":
            self._check_clock(link, device, msg, data_time, received_at)
        elif cn in GAP_CNS and self._settings.gap_fill:
            if (data_time - received_at).total_seconds() > self._settings.clock_skew_s:
                return  # from the future: a clock error, not a position in the data stream
            self._check_gap(link, device, cn, data_time, received_at)

    # -- gaps -------------------------------------------------------------------------------------------------
    def _check_gap(
        self, link: TerminalLink, device: DeviceInfo, cn: str, data_time: datetime, received_at: datetime
    ) -> None:
        key = (device.mn, cn)
        previous = self._last.get(key)
        if previous is not None and data_time <= previous:
            return  # a resend or a history answer: it fills a gap, it does not open one
        self._last[key] = data_time
        interval = device.interval_of(cn)
        if received_at - data_time > timedelta(seconds=max(3 * interval, 900)):
            return  # not live data: pushed history after an outage
        if previous is None:
            link.channel.spawn(self._check_gap_from_store(link, device, cn, data_time))
        else:
            self._gap_between(link, device, cn, previous, data_time)

    async def _check_gap_from_store(self, link: TerminalLink, device: DeviceInfo, cn: str, data_time: datetime) -> None:
        since = data_time - timedelta(days=self._settings.gap_lookback_days)
        async with self._pool.acquire() as conn:
            previous = await conn.fetchval(
                "SELECT max(data_time) FROM ingest.receipts WHERE mn = $1 AND cn = $2 "
                "AND data_time < $3 AND data_time >= $4",
                device.mn,
                cn,
                data_time,
                since,
            )
        if previous is not None:
            self._gap_between(link, device, cn, previous, data_time)

    def _gap_between(
        self, link: TerminalLink, device: DeviceInfo, cn: str, previous: datetime, current: datetime
    ) -> None:
        step = timedelta(seconds=device.interval_of(cn))
        if current - previous <= step * 1.5:
            return
        begin = max(previous + step, current - timedelta(days=self._settings.gap_lookback_days))
        end = current - step
        gaps = self._gaps.setdefault(device.mn, {})
        if cn in gaps:
            old_begin, old_end = gaps[cn]
            begin, end = min(begin, old_begin), max(end, old_end)
        gaps[cn] = (begin, end)
        log.info(
            "gap in the data; asking the terminal for it",
            extra={"mn": device.mn, "cn": cn, "begin": begin.isoformat(), "end": end.isoformat()},
        )
        if device.mn not in self._history_busy:
            link.channel.spawn(self._fill_gaps(link))

    async def _fill_gaps(self, link: TerminalLink) -> None:
        mn = link.mn
        if mn in self._history_busy:
            return
        self._history_busy.add(mn)
        try:
            while gaps := self._gaps.pop(mn, None):
                for cn, (begin, end) in gaps.items():
                    result = await self._request_history(link, cn, begin, end)
                    if result == "disconnected":
                        self._gaps.setdefault(mn, {}).setdefault(cn, (begin, end))
                        return
        finally:
            self._history_busy.discard(mn)

    async def _request_history(self, link: TerminalLink, cn: str, begin: datetime, end: datetime) -> str:
        address: dict[str, Any] = link.address()
        self._stats.history_requests += 1
        result = await self._dispatcher.send(
            link,
            lambda t: get_history(cn, cst_wall_clock(begin), cst_wall_clock(end), now=t, **address),
            origin="gap_fill",
            timeout_s=self._settings.history_timeout_s,
        )
        return result.state
