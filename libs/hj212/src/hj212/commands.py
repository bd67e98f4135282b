"""Builders for what the center (上位机) sends, and readers for the terminal's answers.  Pure functions.

Answers to a terminal's packet (same QN, ST=91, same PW and MN, CP empty ``CP=&&&&``, Flag from
:func:`hj212.versions.reply_flag_for` -- 4 for 2017, 8 for 2025):

* :func:`data_ack` -- 9014, for uploads (2011, 2051, 2061, 2031, 2041, 2081, 3015-3020, ...) whose Flag has A=1;
* :func:`notify_ack` -- 9013, for notifications (1013 time-calibration request, 2025's 9015 heartbeat).

Commands (three-step flow: the terminal answers 9011 with QnRtn, maybe data, then 9012 with ExeRtn) carry a new
QN made from ``now`` and Flag with A=1 for the terminal's version (5 for 2017, 9 for 2025).  Pass the terminal's
``st``, ``pw``, ``mn`` and ``version`` as known from its own packets.

:func:`request_response` (9011) and :func:`execute_result` (9012) build the terminal's side, for simulators.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from hj212.errors import BadField, MissingField
from hj212.message import CP, Message, format_time, new_qn, parse_time
from hj212.versions import Version, command_flag, reply_flag_for

__all__ = [
    "ST_SYSTEM",
    "QnRtn",
    "ExeRtn",
    "data_ack",
    "notify_ack",
    "request_response",
    "execute_result",
    "set_timeout_retries",
    "get_time",
    "set_time",
    "get_rtd_interval",
    "set_rtd_interval",
    "get_min_interval",
    "set_min_interval",
    "set_password",
    "get_history",
    "get_day_data",
    "get_run_time_data",
    "get_minute_data",
    "get_hour_data",
    "parse_reply",
    "new_qn",
    "format_time",
    "parse_time",
]

#: ST of every interaction packet (9011/9012/9013/9014), Std Table 5.
ST_SYSTEM = "91"

#: Allowed MinInterval values in minutes (Std §6.3.3).
MIN_INTERVALS = frozenset({1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30})


class QnRtn(IntEnum):
    """Request answer codes carried by 9011 (Std Table 7)."""

    READY = 1
    REJECTED = 2
    PW_ERROR = 3
    MN_ERROR = 4
    ST_ERROR = 5
    FLAG_ERROR = 6
    QN_ERROR = 7
    CN_ERROR = 8
    CRC_ERROR = 9
    UNKNOWN_ERROR = 100

    @property
    def meaning(self) -> str:
        return _QN_RTN_TEXT[self]


class ExeRtn(IntEnum):
    """Execution result codes carried by 9012 (Std Table 6)."""

    SUCCESS = 1
    FAILED = 2
    BAD_CONDITIONS = 3
    TIMEOUT = 4
    BUSY = 5
    SYSTEM_FAULT = 6
    NO_DATA = 100

    @property
    def meaning(self) -> str:
        return _EXE_RTN_TEXT[self]


_QN_RTN_TEXT = {
    QnRtn.READY: "ready to execute the request",
    QnRtn.REJECTED: "request rejected",
    QnRtn.PW_ERROR: "wrong access password (PW)",
    QnRtn.MN_ERROR: "wrong device ID (MN)",
    QnRtn.ST_ERROR: "wrong system code (ST)",
    QnRtn.FLAG_ERROR: "wrong Flag",
    QnRtn.QN_ERROR: "wrong request number (QN)",
    QnRtn.CN_ERROR: "wrong command code (CN)",
    QnRtn.CRC_ERROR: "CRC check failed",
    QnRtn.UNKNOWN_ERROR: "unknown error",
}
_EXE_RTN_TEXT = {
    ExeRtn.SUCCESS: "executed successfully",
    ExeRtn.FAILED: "execution failed, reason unknown",
    ExeRtn.BAD_CONDITIONS: "the command's request conditions are wrong",
    ExeRtn.TIMEOUT: "communication timeout",
    ExeRtn.BUSY: "system busy, cannot execute",
    ExeRtn.SYSTEM_FAULT: "system fault",
    ExeRtn.NO_DATA: "no data",
}


# -- answers ----------------------------------------------------------------------------------------------------
def _answer(req: Message, cn: str, params: dict[str, str] | None = None) -> Message:
    return Message(
        qn=req.qn,
        st=ST_SYSTEM,
        cn=cn,
        pw=req.pw,
        mn=req.mn,
        flag=reply_flag_for(req.flag),
        cp=CP(params or {}),
    )


def data_ack(req: Message) -> Message:
    """9014 data response: ``QN=<req>;ST=91;CN=9014;PW=<req>;MN=<req>;Flag=4;CP=&&&&`` (Flag per version).

    Send it for every upload with A=1, each split packet included (each has its own QN).  A 2005-style
    request without QN/Flag gets an answer without them.
    """
    return _answer(req, "9014")


def notify_ack(req: Message) -> Message:
    """9013 notification response, for 1013 (time-calibration request) and 9015 (2025 heartbeat)."""
    return _answer(req, "9013")


def request_response(req: Message, rtn: QnRtn) -> Message:
    """9011 (terminal side): answer to a command, ``QnRtn=<rtn>``."""
    return _answer(req, "9011", {"QnRtn": str(int(rtn))})


def execute_result(req: Message, rtn: ExeRtn) -> Message:
    """9012 (terminal side): result of a command, ``ExeRtn=<rtn>``."""
    return _answer(req, "9012", {"ExeRtn": str(int(rtn))})


def parse_reply(m: Message) -> QnRtn | ExeRtn:
    """Read a terminal's 9011 (-> :class:`QnRtn`) or 9012 (-> :class:`ExeRtn`)."""
    kind: type[QnRtn] | type[ExeRtn]
    if m.cn == "9011":
        name, kind = "QnRtn", QnRtn
    elif m.cn == "9012":
        name, kind = "ExeRtn", ExeRtn
    else:
        raise BadField(f"CN {m.cn} is not a request answer (9011) or result (9012)", field="CN", value=m.cn)
    value = m.cp.params.get(name)
    if value is None:
        raise MissingField(f"CN={m.cn} packet has no {name} in CP", field=name)
    try:
        return kind(int(value))
    except ValueError:
        raise BadField(f"{name}={value!r} is not a code of the standard", field=name, value=value) from None


# -- commands ---------------------------------------------------------------------------------------------------
def _command(cn: str, params: dict[str, str], *, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    return Message(qn=new_qn(now), st=st, cn=cn, pw=pw, mn=mn, flag=command_flag(version), cp=CP(params))


def _in_range(name: str, value: int, low: int, high: int) -> str:
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}..{high}, got {value}")
    return str(value)


def set_timeout_retries(
    overtime: int, recount: int, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """1000: set the answer timeout (``OverTime``, seconds) and resend count (``ReCount``), both 1..99."""
    params = {"OverTime": _in_range("OverTime", overtime, 1, 99), "ReCount": _in_range("ReCount", recount, 1, 99)}
    return _command("1000", params, now=now, st=st, pw=pw, mn=mn, version=version)


def get_time(*, now: datetime, st: str, pw: str, mn: str, version: Version, pol_id: str | None = None) -> Message:
    """1011: ask for the terminal's clock (with ``pol_id``: that instrument's clock)."""
    params = {} if pol_id is None else {"PolId": pol_id}
    return _command("1011", params, now=now, st=st, pw=pw, mn=mn, version=version)


def set_time(
    system_time: datetime,
    *,
    now: datetime,
    st: str,
    pw: str,
    mn: str,
    version: Version,
    pol_id: str | None = None,
) -> Message:
    """1012: set the terminal's clock to ``system_time`` (local wall-clock time), e.g. after a 1013."""
    params = {} if pol_id is None else {"PolId": pol_id}
    params["SystemTime"] = format_time(system_time)
    return _command("1012", params, now=now, st=st, pw=pw, mn=mn, version=version)


def get_rtd_interval(*, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    """1061: ask for the real-time data interval."""
    return _command("1061", {}, now=now, st=st, pw=pw, mn=mn, version=version)


def set_rtd_interval(seconds: int, *, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    """1062: set the real-time data interval, 30..3600 seconds."""
    params = {"RtdInterval": _in_range("RtdInterval", seconds, 30, 3600)}
    return _command("1062", params, now=now, st=st, pw=pw, mn=mn, version=version)


def get_min_interval(*, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    """1063: ask for the minute data interval."""
    return _command("1063", {}, now=now, st=st, pw=pw, mn=mn, version=version)


def set_min_interval(minutes: int, *, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    """1064: set the minute data interval; one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30."""
    if minutes not in MIN_INTERVALS:
        raise ValueError(f"MinInterval must be one of {sorted(MIN_INTERVALS)}, got {minutes}")
    return _command("1064", {"MinInterval": str(minutes)}, now=now, st=st, pw=pw, mn=mn, version=version)


def set_password(new_pw: str, *, now: datetime, st: str, pw: str, mn: str, version: Version) -> Message:
    """1072: set a new access password (``NewPW``); ``pw`` is the current one."""
    return _command("1072", {"NewPW": new_pw}, now=now, st=st, pw=pw, mn=mn, version=version)


def get_history(
    cn: str, begin: datetime, end: datetime, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """Fetch stored data with ``BeginTime``/``EndTime`` (2031 day, 2041 run time, 2051 minute, 2061 hour;
    2025 electricity history reportedly uses 2011).  The terminal answers 9011, one packet per period, 9012."""
    if end < begin:
        raise ValueError(f"EndTime {end} is before BeginTime {begin}")
    params = {"BeginTime": format_time(begin), "EndTime": format_time(end)}
    return _command(cn, params, now=now, st=st, pw=pw, mn=mn, version=version)


def get_day_data(
    begin: datetime, end: datetime, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """2031: day data between ``begin`` and ``end``."""
    return get_history("2031", begin, end, now=now, st=st, pw=pw, mn=mn, version=version)


def get_run_time_data(
    begin: datetime, end: datetime, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """2041: facility run time per day between ``begin`` and ``end``."""
    return get_history("2041", begin, end, now=now, st=st, pw=pw, mn=mn, version=version)


def get_minute_data(
    begin: datetime, end: datetime, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """2051: minute data between ``begin`` and ``end``."""
    return get_history("2051", begin, end, now=now, st=st, pw=pw, mn=mn, version=version)


def get_hour_data(
    begin: datetime, end: datetime, *, now: datetime, st: str, pw: str, mn: str, version: Version
) -> Message:
    """2061: hour data between ``begin`` and ``end``."""
    return get_history("2061", begin, end, now=now, st=st, pw=pw, mn=mn, version=version)
