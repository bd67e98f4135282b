"""Operator commands: from an API request to the HJ 212 message, and how results read."""

from __future__ import annotations

from datetime import datetime

from fbjd_core.time import from_cst
from hj212 import (
    ExeRtn,
    QnRtn,
    get_history,
    get_min_interval,
    get_rtd_interval,
    get_time,
    set_min_interval,
    set_rtd_interval,
    set_time,
    set_timeout_retries,
)

from fbjd_ingest.commands.center import cst_wall_clock
from fbjd_ingest.commands.dispatcher import CommandBuilder, TerminalLink
from fbjd_ingest.commands.models import Command
from fbjd_ingest.commands.schemas import CommandIn, CommandOut
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_ingest.errors import InvalidCommand
from fbjd_ingest.runtime import IngestRuntime

__all__ = ["builder_for", "command_out", "push_intervals"]


def _local(moment: datetime) -> datetime:
    """API times → CST wall clock for HJ 212 (a time without an offset is taken as CST already)."""
    return moment if moment.tzinfo is None else cst_wall_clock(from_cst(moment))


def builder_for(command: CommandIn, link: TerminalLink) -> CommandBuilder:
    a = link.address()
    match command.action:
        case "calibrate_time":
            return lambda t: set_time(cst_wall_clock(), now=t, **a)
        case "get_time":
            return lambda t: get_time(now=t, **a)
        case "set_rtd_interval":
            seconds = command.seconds or 0
            return lambda t: set_rtd_interval(seconds, now=t, **a)
        case "get_rtd_interval":
            return lambda t: get_rtd_interval(now=t, **a)
        case "set_min_interval":
            minutes = command.minutes or 0
            return lambda t: set_min_interval(minutes, now=t, **a)
        case "get_min_interval":
            return lambda t: get_min_interval(now=t, **a)
        case "set_timeout_retries":
            overtime, recount = command.overtime_s or 0, command.recount or 0
            return lambda t: set_timeout_retries(overtime, recount, now=t, **a)
        case "request_history":
            if command.cn is None or command.begin is None or command.end is None:
                raise InvalidCommand("request_history needs cn, begin and end")
            cn, begin, end = command.cn, _local(command.begin), _local(command.end)
            return lambda t: get_history(cn, begin, end, now=t, **a)
    raise AssertionError(f"unhandled action {command.action}")  # pragma: no cover - Literal covers every case


async def push_intervals(runtime: IngestRuntime, device: DeviceInfo, changed: set[str], *, requested_by: str) -> None:
    """Send changed intervals to the terminal if it is connected (the device record holds them either way)."""
    link = runtime.dispatcher.link_for(device.mn)
    if link is None:
        return
    a = link.address()
    if "rtd_interval_s" in changed and 30 <= device.rtd_interval_s <= 3600:
        seconds = device.rtd_interval_s
        await runtime.dispatcher.submit(
            link, lambda t: set_rtd_interval(seconds, now=t, **a), origin="operator", requested_by=requested_by
        )
    if "min_interval_s" in changed and device.min_interval_s % 60 == 0:
        minutes = device.min_interval_s // 60
        await runtime.dispatcher.submit(
            link, lambda t: set_min_interval(minutes, now=t, **a), origin="operator", requested_by=requested_by
        )


def _text(kind: type[QnRtn] | type[ExeRtn], code: int | None) -> str | None:
    if code is None:
        return None
    try:
        return kind(code).meaning
    except ValueError:
        return f"code {code} (not in the standard)"


def command_out(row: Command) -> CommandOut:
    return CommandOut(
        qn=row.qn,
        cn=row.cn,
        params=row.params or {},
        origin=row.origin,
        requested_by=row.requested_by,
        state=row.state,
        sent_at=row.sent_at,
        qn_rtn=row.qn_rtn,
        qn_rtn_text=_text(QnRtn, row.qn_rtn),
        exe_rtn=row.exe_rtn,
        exe_rtn_text=_text(ExeRtn, row.exe_rtn),
        replied_at=row.replied_at,
        answer=row.answer,
    )
