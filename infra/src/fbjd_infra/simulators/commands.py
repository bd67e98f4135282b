"""How a simulated field unit answers the center's commands (Std §6.5, Table 9, Appendix C).

Three-step flow: 9011 ``QnRtn`` at once, then the work (and any answer data), then 9012 ``ExeRtn``, all with the
request's QN.  Before anything else the request is checked the way field units do: wrong MN -> ``QnRtn=4``,
wrong PW -> ``QnRtn=3``; a CN the unit does not execute -> ``QnRtn=8`` (CN error: the standard's Table 7 has no
"unsupported" code; 8 names the field that is wrong, where 2 "rejected" would suggest a refusal the center
could retry).  Notifications (2012/2022: stop real-time/run-state uploads) are answered with 9013.

==========  ===========================================  ===========================================
CN          request                                       answer
==========  ===========================================  ===========================================
1000        OverTime / ReCount                             9011, 9012
1011        get time                                      9011, 1011 SystemTime, 9012
1012        set time (SystemTime)                         9011, 9012; the unit's clock is set
1061/1062   get / set RtdInterval (30..3600 s)            9011, [1061 RtdInterval], 9012
1063/1064   get / set MinInterval (minutes)               9011, [1063 MinInterval], 9012
1072        set password (NewPW)                          9011, 9012
2011        start real-time uploads                       9011, 9012
2031/2051/  day / minute / hour history, BeginTime to    9011, one packet per period (own QN, A=1,
2061        EndTime (inclusive)                           acknowledged), 9012 (100: no data)
==========  ===========================================  ===========================================
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from hj212.commands import MIN_INTERVALS, ExeRtn, QnRtn, notify_ack
from hj212.errors import BadField
from hj212.message import Message, encode, format_time, parse_time

from fbjd_infra.simulators.clock import local_of, ts_of_local
from fbjd_infra.simulators.outbox import Outgoing
from fbjd_infra.simulators.packets import answer_9011, answer_9012, answer_data
from fbjd_infra.simulators.plant import MeterPeriod, PeriodRecord

if TYPE_CHECKING:
    from fbjd_infra.simulators.terminal import Terminal

__all__ = ["CommandHandler", "aggregate"]

log = logging.getLogger(__name__)

Handler = Callable[[Message], Awaitable[ExeRtn]]
NOTIFICATIONS = frozenset({"2012", "2022"})
HISTORY_PERIOD_S = {"2031": 86400, "2061": 3600}  # 2051: the stored records themselves


class CommandHandler:
    def __init__(self, terminal: Terminal) -> None:
        self.t = terminal
        self._handlers: dict[str, Handler] = {
            "1000": self._timeouts,
            "1011": self._get_time,
            "1012": self._set_time,
            "1061": self._get_rtd_interval,
            "1062": self._set_rtd_interval,
            "1063": self._get_min_interval,
            "1064": self._set_min_interval,
            "1072": self._set_password,
            "2011": self._start_realtime,
            "2031": self._history,
            "2051": self._history,
            "2061": self._history,
        }

    async def handle(self, request: Message) -> None:
        t = self.t
        t.stats.commands += 1
        log.info("command from the center", extra={"mn": t.spec.mn, "cn": request.cn, "qn": request.qn})
        if request.mn != t.spec.mn:
            t.write(answer_9011(request, QnRtn.MN_ERROR))
            return
        if request.pw != t.builder.pw:
            t.write(answer_9011(request, QnRtn.PW_ERROR))
            return
        if request.cn in NOTIFICATIONS:
            if request.cn == "2012":
                t.set_realtime(False)
            t.write(encode(notify_ack(request)))
            return
        handler = self._handlers.get(request.cn or "")
        if handler is None:
            t.write(answer_9011(request, QnRtn.CN_ERROR))
            return
        t.write(answer_9011(request, QnRtn.READY))
        try:
            result = await handler(request)
        except (BadField, ValueError) as exc:
            log.warning("bad command", extra={"mn": t.spec.mn, "cn": request.cn, "error": str(exc)})
            result = ExeRtn.BAD_CONDITIONS
        t.write(answer_9012(request, result))

    # -- parameters -------------------------------------------------------------------------------------------
    @staticmethod
    def _int(request: Message, name: str, low: int, high: int) -> int:
        text = request.cp.params.get(name)
        if text is None or not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"{name}={text!r} is not an integer in {low}..{high}")
        return int(text)

    async def _timeouts(self, request: Message) -> ExeRtn:
        overtime = self._int(request, "OverTime", 1, 99)
        recount = self._int(request, "ReCount", 1, 99)
        self.t.ack_timeout_s, self.t.recount = float(overtime), recount
        return ExeRtn.SUCCESS

    async def _get_time(self, request: Message) -> ExeRtn:
        self.t.write(answer_data(request, self.t.spec.version, {"SystemTime": format_time(self.t.clock.local())}))
        return ExeRtn.SUCCESS

    async def _set_time(self, request: Message) -> ExeRtn:
        text = request.cp.params.get("SystemTime")
        if text is None:
            return ExeRtn.BAD_CONDITIONS
        before = self.t.clock.offset_s
        self.t.set_clock(parse_time(text, field="SystemTime"))
        log.info("clock set", extra={"mn": self.t.spec.mn, "moved_s": round(self.t.clock.offset_s - before, 1)})
        return ExeRtn.SUCCESS

    async def _get_rtd_interval(self, request: Message) -> ExeRtn:
        self.t.write(answer_data(request, self.t.spec.version, {"RtdInterval": str(self.t.rtd_interval_s)}))
        return ExeRtn.SUCCESS

    async def _set_rtd_interval(self, request: Message) -> ExeRtn:
        self.t.set_rtd_interval(self._int(request, "RtdInterval", 30, 3600))
        return ExeRtn.SUCCESS

    async def _get_min_interval(self, request: Message) -> ExeRtn:
        minutes = max(1, self.t.interval_s // 60)
        self.t.write(answer_data(request, self.t.spec.version, {"MinInterval": str(minutes)}))
        return ExeRtn.SUCCESS

    async def _set_min_interval(self, request: Message) -> ExeRtn:
        minutes = self._int(request, "MinInterval", 1, 60)
        if minutes not in MIN_INTERVALS:
            return ExeRtn.BAD_CONDITIONS
        self.t.set_interval(minutes * 60)
        return ExeRtn.SUCCESS

    async def _set_password(self, request: Message) -> ExeRtn:
        new = request.cp.params.get("NewPW")
        if not new:
            return ExeRtn.BAD_CONDITIONS
        self.t.builder.pw = new
        return ExeRtn.SUCCESS

    async def _start_realtime(self, _request: Message) -> ExeRtn:
        self.t.set_realtime(True)
        return ExeRtn.SUCCESS

    # -- history ----------------------------------------------------------------------------------------------
    async def _history(self, request: Message) -> ExeRtn:
        begin_text, end_text = request.cp.params.get("BeginTime"), request.cp.params.get("EndTime")
        if begin_text is None or end_text is None:
            return ExeRtn.BAD_CONDITIONS
        begin = ts_of_local(parse_time(begin_text, field="BeginTime"))
        end = ts_of_local(parse_time(end_text, field="EndTime"))
        cn = request.cn or "2051"
        records = [r for r in self.t.store if begin <= r.start_ts <= end]
        if cn in HISTORY_PERIOD_S:
            records = [r for r in aggregate(records, HISTORY_PERIOD_S[cn]) if begin <= r.start_ts <= end]
        if not records:
            return ExeRtn.NO_DATA
        for record in records:
            if not await self.t.deliver(Outgoing(cn, record)):
                return ExeRtn.TIMEOUT
        log.info(
            "history sent",
            extra={
                "mn": self.t.spec.mn,
                "cn": cn,
                "periods": len(records),
                "begin": format_time(local_of(begin)),
                "end": format_time(local_of(end)),
            },
        )
        return ExeRtn.SUCCESS


def aggregate(records: list[PeriodRecord], period_s: int) -> list[PeriodRecord]:
    """Combine stored minute records into longer periods (hour, day), time-weighted; partial periods included."""
    groups: dict[float, list[PeriodRecord]] = {}
    for record in records:
        groups.setdefault(record.start_ts // period_s * period_s, []).append(record)
    out: list[PeriodRecord] = []
    for start, group in sorted(groups.items()):
        group.sort(key=lambda r: r.start_ts)
        meters: dict[str, MeterPeriod] = {}
        for key in group[0].meters:
            parts = [(r.end_ts - r.start_ts, r.meters[key]) for r in group]
            total = sum(d for d, _ in parts) or 1.0

            def avg(
                get: Callable[[MeterPeriod], float],
                parts: list[tuple[float, MeterPeriod]] = parts,
                total: float = total,
            ) -> float:
                return sum(d * get(m) for d, m in parts) / total

            meters[key] = MeterPeriod(
                p_avg=avg(lambda m: m.p_avg),
                p_min=min(m.p_min for _, m in parts),
                p_max=max(m.p_max for _, m in parts),
                energy_start=parts[0][1].energy_start,
                energy_end=parts[-1][1].energy_end,
                energy_used=sum(m.energy_used for _, m in parts),
                current_avg=avg(lambda m: m.current_avg),
                voltage_avg=(
                    avg(lambda m: m.voltage_avg[0]),
                    avg(lambda m: m.voltage_avg[1]),
                    avg(lambda m: m.voltage_avg[2]),
                ),
                pf_avg=avg(lambda m: m.pf_avg),
            )
        out.append(PeriodRecord(start, start + period_s, meters))
    return out
