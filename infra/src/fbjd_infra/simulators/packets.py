"""The simulator's side of the wire, built on the shared :mod:`hj212` codec (never our own framing or CRC).

* :func:`meter_codes` -- which factor code carries which quantity of a meter, read off the codec's factor profile
  (the same data the ingest service maps codes with, so whatever the simulator sends, ingest understands);
* :class:`PacketBuilder` -- data packets (2051 minute, 2061 hour, 2011 real-time) of one terminal, split into
  PNUM/PNO parts when the data area would exceed what HJ 212 allows;
* answers to the center: 9011/9012 and the data answers of 1011/1061/1063.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from hj212.commands import ExeRtn, QnRtn, execute_result, request_response
from hj212.factors import FactorProfile, FactorRule, Quantity, get_profile
from hj212.message import CP, Message, encode, format_time, new_qn
from hj212.versions import Version, make_flag

from fbjd_infra.simulators.plant import MeterInstant, MeterPeriod, MeterRole, MeterSpec, PeriodRecord

__all__ = [
    "ST_ELECTRIC",
    "MAX_CP_CHARS",
    "QnSource",
    "PacketBuilder",
    "meter_codes",
    "answer_9011",
    "answer_9012",
    "answer_data",
]

#: ST of electricity-usage monitoring (用电监控, HJ 212-2025).
ST_ELECTRIC = "44"
#: Longest CP field (``CP=&&…&&``) HJ 212 allows (Std Table 3); longer data is split into PNUM/PNO packets.
MAX_CP_CHARS = 950

_PLACEHOLDER = re.compile(r"\{(channel|param):(\d+)\}")
_GROUP_OF_ROLE = {
    MeterRole.PRODUCTION: "production",
    MeterRole.TREATMENT_MAIN: "treatment",
    MeterRole.TREATMENT_STANDBY: "treatment",
}
# (quantity, phase) wanted per meter, in packet order; the first one the profile can express is used.
_WANTED: tuple[tuple[Quantity, tuple[str | None, ...]], ...] = (
    (Quantity.ACTIVE_POWER_KW, (None,)),
    (Quantity.ENERGY_KWH, (None,)),
    (Quantity.CURRENT_A, (None, "A")),
    (Quantity.VOLTAGE_V, ("A", None)),
    (Quantity.POWER_FACTOR, (None,)),
)


class QnSource:
    """Unique, increasing QNs for one terminal: its wall-clock time to the millisecond, bumped when two packets
    are made in the same millisecond (split parts, history answers)."""

    def __init__(self) -> None:
        self._last: datetime | None = None

    def next(self, local_now: datetime) -> str:
        now = local_now.replace(microsecond=local_now.microsecond // 1000 * 1000)
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(milliseconds=1)
        self._last = now
        return new_qn(now)


def _render(pattern: str, channel: int, param: str | None) -> str:
    def fill(m: re.Match[str]) -> str:
        width = int(m.group(2))
        value = str(channel) if m.group(1) == "channel" else (param or "")
        if not value.isdigit() or len(value) > width:
            raise ValueError(f"cannot put {value!r} into {m.group(0)} of {pattern!r}")
        return value.zfill(width)

    return _PLACEHOLDER.sub(fill, pattern)


def _rules_for(profile: FactorProfile, meter: MeterSpec) -> list[FactorRule]:
    """Rules able to carry this meter: its facility group's template, any template, or literal site codes."""
    group = meter.code_group or _GROUP_OF_ROLE.get(meter.role)
    templated = [r for r in profile.rules if "{channel" in r.pattern]
    if meter.role is MeterRole.TOTAL and meter.code_group is None:
        literal = [r for r in profile.rules if "{" not in r.pattern]
        return literal or [r for r in templated if r.group not in ("production", "treatment")] or templated
    same_group = [r for r in templated if r.group == group]
    return same_group or [r for r in templated if r.group not in ("production", "treatment")]


def _code_for(
    rules: list[FactorRule], meter: MeterSpec, quantity: Quantity, phases: tuple[str | None, ...]
) -> str | None:
    for phase in phases:
        for rule in rules:
            if rule.params:
                for key, meaning in rule.params.items():
                    if meaning.quantity is quantity and meaning.phase == phase:
                        return _render(rule.pattern, meter.channel, key)
            elif rule.meaning is not None and rule.meaning.quantity is quantity and rule.meaning.phase == phase:
                return rule.pattern if "{" not in rule.pattern else _render(rule.pattern, meter.channel, None)
    return None


_CODE_CACHE: dict[tuple[str, MeterSpec], dict[Quantity, str]] = {}


def meter_codes(profile_name: str, meter: MeterSpec) -> dict[Quantity, str]:
    """Factor code per quantity for ``meter`` under the named profile (quantities it cannot express are left out).

    For ``hj212-2025-electric`` a production meter on channel 1 gets ``d20501`` (power), ``d20601`` (energy), ...
    and the total incoming line the site codes ``i33200``/``i33201``; for ``vendor-ea3001`` every meter gets
    ``ea3001NNPP`` with NN its channel.
    """
    key = (profile_name, meter)
    found = _CODE_CACHE.get(key)
    if found is None:
        profile = get_profile(profile_name)
        rules = _rules_for(profile, meter)
        found = {}
        for quantity, phases in _WANTED:
            code = _code_for(rules, meter, quantity, phases)
            if code is not None:
                found[quantity] = code
        _CODE_CACHE[key] = found
    return found


def _period_fields(quantity: Quantity, m: MeterPeriod) -> dict[str, str]:
    """Minute/hour data fields of one quantity (Std Table 4: Cou, Min, Avg, Max, Flag)."""
    if quantity is Quantity.ACTIVE_POWER_KW:
        return {"Avg": f"{m.p_avg:.2f}", "Min": f"{m.p_min:.2f}", "Max": f"{m.p_max:.2f}", "Flag": "N"}
    if quantity is Quantity.ENERGY_KWH:
        # Cou: consumption in the period; Max: the register at the period end (the cumulative reading).
        return {"Cou": f"{m.energy_used:.3f}", "Max": f"{m.energy_end:.2f}", "Flag": "N"}
    if quantity is Quantity.CURRENT_A:
        return {"Avg": f"{m.current_avg:.2f}", "Flag": "N"}
    if quantity is Quantity.VOLTAGE_V:
        return {"Avg": f"{m.voltage_avg[0]:.1f}", "Flag": "N"}
    return {"Avg": f"{m.pf_avg:.3f}", "Flag": "N"}


def _instant_fields(quantity: Quantity, m: MeterInstant) -> dict[str, str]:
    value = {
        Quantity.ACTIVE_POWER_KW: f"{m.p:.2f}",
        Quantity.ENERGY_KWH: f"{m.energy:.2f}",
        Quantity.CURRENT_A: f"{m.current:.2f}",
        Quantity.VOLTAGE_V: f"{m.voltage[0]:.1f}",
        Quantity.POWER_FACTOR: f"{m.pf:.3f}",
    }[quantity]
    return {"Rtd": value, "Flag": "N"}


def _cp_chars(params: dict[str, str], factors: dict[str, dict[str, str]]) -> int:
    """Length of ``CP=&&…&&`` for these items (as :func:`hj212.message.encode` writes them)."""
    items = [f"{k}={v}" for k, v in params.items()]
    items += [",".join(f"{code}-{f}={v}" for f, v in fields.items()) for code, fields in factors.items()]
    return len("CP=&&&&") + len(";".join(items))


@dataclass
class PacketBuilder:
    """Builds one terminal's packets.  ``pw`` can change (CN 1072), so it is read at build time."""

    mn: str
    pw: str
    version: Version
    profile: str
    meters: tuple[MeterSpec, ...]
    needs_ack: bool = True

    def __post_init__(self) -> None:
        self.qns = QnSource()

    def _flag(self, split: bool) -> int:
        return make_flag(self.version, needs_reply=self.needs_ack, split=split)

    def _split(
        self, params: dict[str, str], per_meter: list[dict[str, dict[str, str]]]
    ) -> list[dict[str, dict[str, str]]]:
        """Group whole meters into parts whose CP fits; a meter's factors are never split across packets."""
        parts: list[dict[str, dict[str, str]]] = [{}]
        for factors in per_meter:
            candidate = {**parts[-1], **factors}
            if parts[-1] and _cp_chars(params, candidate) > MAX_CP_CHARS:
                parts.append(dict(factors))
            else:
                parts[-1] = candidate
        return parts

    def _messages(
        self, cn: str, params: dict[str, str], per_meter: list[dict[str, dict[str, str]]], local_now: datetime
    ) -> list[Message]:
        parts = self._split(params, per_meter)
        split = len(parts) > 1
        return [
            Message(
                qn=self.qns.next(local_now),
                st=ST_ELECTRIC,
                cn=cn,
                pw=self.pw,
                mn=self.mn,
                flag=self._flag(split),
                pnum=len(parts) if split else None,
                pno=i + 1 if split else None,
                cp=CP(dict(params), factors),
            )
            for i, factors in enumerate(parts)
        ]

    def period(self, cn: str, record: PeriodRecord, local_now: datetime) -> list[Message]:
        """Minute (2051) or hour (2061) data for ``record``: DataTime = period start."""
        per_meter = []
        for meter in self.meters:
            m = record.meters[meter.key]
            per_meter.append({code: _period_fields(q, m) for q, code in meter_codes(self.profile, meter).items()})
        return self._messages(cn, {"DataTime": format_time(record.data_time)}, per_meter, local_now)

    def restart(self, restart_time: datetime, local_now: datetime) -> Message:
        """Data-logger power-on time (2081), sent after power-on and network connection: DataTime = when it is
        sent, RestartTime = when power came back (both the terminal's clock)."""
        params = {"DataTime": format_time(local_now), "RestartTime": format_time(restart_time)}
        return Message(
            qn=self.qns.next(local_now),
            st=ST_ELECTRIC,
            cn="2081",
            pw=self.pw,
            mn=self.mn,
            flag=self._flag(False),
            cp=CP(params),
        )

    def realtime(self, values: dict[str, MeterInstant], data_time: datetime, local_now: datetime) -> list[Message]:
        """Real-time data (2011): DataTime = the sampling instant."""
        per_meter = []
        for meter in self.meters:
            m = values[meter.key]
            per_meter.append({code: _instant_fields(q, m) for q, code in meter_codes(self.profile, meter).items()})
        return self._messages("2011", {"DataTime": format_time(data_time)}, per_meter, local_now)


def answer_9011(request: Message, rtn: QnRtn) -> bytes:
    return encode(request_response(request, rtn))


def answer_9012(request: Message, rtn: ExeRtn) -> bytes:
    return encode(execute_result(request, rtn))


def answer_data(request: Message, version: Version, params: dict[str, str]) -> bytes:
    """The data answer of a get-command (1011 SystemTime, 1061 RtdInterval, 1063 MinInterval): the request's QN,
    CN and our ST/PW/MN, Flag with our version bits and no A bit (Appendix C)."""
    return encode(
        Message(
            qn=request.qn,
            st=ST_ELECTRIC,
            cn=request.cn,
            pw=request.pw,
            mn=request.mn,
            flag=make_flag(version),
            cp=CP(params),
        )
    )
