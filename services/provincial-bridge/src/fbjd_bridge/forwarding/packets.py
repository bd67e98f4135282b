"""From a stored receipt and its readings to the HJ 212 packets re-sent upstream (pure: no I/O, no clock).

What one receipt (one (MN, CN, DataTime) that ingest stored) becomes:

* the same CN (2011 real-time, 2051 minute, 2061 hour, 2031 day data) and the same DataTime, written back in
  China Standard Time as the terminal sent it (`YYYYMMDDhhmmss`; 17 digits when it carried milliseconds);
* the same MN and ST (ST 44, electricity monitoring, when the terminal sent none); PW is the upstream's;
* the factors of `ingest.readings_v1`, each `code-Rtd`, `-Min`, `-Avg`, `-Max`, `-Cou` (those it carried) and
  `-Flag`, in the order of the standard's Table 4, codes in code order. Values are stored as double precision,
  so a value comes back as the shortest text that reads as the same number (`2.20` → `2.2`, never `2.2000000001`,
  never an exponent). What ingest kept outside those columns (ZsRtd, SampleTime, EFlag, text values) is not
  in the contract view and is not forwarded;
* a fresh QN, and Flag 5 (HJ 212-2017, answer required): the upstream answers each packet with a 9014;
* more than one packet when the data segment would pass the standard's 1,024 bytes: Flag 7 with PNUM/PNO,
  each packet its own QN, the same DataTime and a share of the factors (Std Table 3, C.47-C.50).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from fbjd_core.time import to_cst
from hj212 import CP, MAX_SEGMENT, Hj212Error, Message, encode, encode_message, format_time
from hj212.versions import Version, make_flag

from fbjd_bridge.forwarding.errors import UnforwardableReceipt

__all__ = [
    "FALLBACK_ST",
    "FORWARDED_CNS",
    "Packet",
    "Position",
    "QnAllocator",
    "Reading",
    "Receipt",
    "ReceiptKey",
    "build_packets",
    "data_time_text",
    "format_number",
]

#: The data uploads forwarded: real-time, minute, hour and day data.
FORWARDED_CNS: tuple[str, ...] = ("2011", "2051", "2061", "2031")
#: ST of a packet whose terminal sent none: 44, electricity-usage monitoring (HJ 212-2025, DESIGN.md).
FALLBACK_ST = "44"

_VERSION = Version.HJ212_2017
_PLACEHOLDER_COUNT = 9999  # PNUM/PNO at their widest while sizing a split packet
_QN_PLACEHOLDER = "0" * 17  # a QN is always 17 digits: sizing with this is exact


class ReceiptKey(NamedTuple):
    """The order of the received_at walk, kept for receipts stored before ingest had a commit order (xid NULL):
    several receipts share one received_at."""

    received_at: datetime
    mn: str
    cn: str
    data_time: datetime


class Position(NamedTuple):
    """The forwarder's cursor: receipts are walked in commit order (xid, mn, cn, data_time); mn "" stands before
    every receipt of transaction `xid`. xid None: still on the receipts stored before ingest_0005 (received_at
    order). received_at is the last forwarded receipt's (informative, except in that first walk)."""

    xid: int | None
    received_at: datetime
    mn: str
    cn: str
    data_time: datetime

    @property
    def order(self) -> tuple[int | None, str, str, datetime]:
        """What the position compares by (received_at only informs)."""
        return (self.xid, self.mn, self.cn, self.data_time)


class Receipt(NamedTuple):
    """A row of `ingest.receipts_v1`."""

    ps_id: str
    mn: str
    cn: str
    st: str | None
    data_time: datetime  # aware, UTC
    received_at: datetime
    xid: int | None = None  # the transaction that stored it (None: stored before ingest_0005)

    @property
    def key(self) -> ReceiptKey:
        return ReceiptKey(self.received_at, self.mn, self.cn, self.data_time)

    @property
    def position(self) -> Position:
        return Position(self.xid, self.received_at, self.mn, self.cn, self.data_time)


class Reading(NamedTuple):
    """One factor of a receipt, from `ingest.readings_v1`."""

    code: str
    rtd: float | None = None
    min: float | None = None
    avg: float | None = None
    max: float | None = None
    cou: float | None = None
    flag: str | None = None


class Packet(NamedTuple):
    """One packet to send: its bytes, and the (MN, QN) its 9014 will echo."""

    mn: str
    qn: str
    frame: bytes


@dataclass
class QnAllocator:
    """Fresh QNs (`YYYYMMDDhhmmsszzz`, CST): the send time, moved on by a millisecond where the same MN already
    got that QN, so every packet of one MN has its own — the upstream's 9014 is matched by (MN, QN)."""

    _last: dict[str, datetime] = field(default_factory=dict)

    def next(self, mn: str, at: datetime) -> str:
        local = to_cst(at).replace(tzinfo=None)
        local -= timedelta(microseconds=local.microsecond % 1000)
        previous = self._last.get(mn)
        if previous is not None and local <= previous:
            local = previous + timedelta(milliseconds=1)
        self._last[mn] = local
        return format_time(local, milliseconds=True)


def format_number(value: float) -> str:
    """A stored double as HJ 212 writes numbers: plain decimal digits, the shortest that read back the same."""
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def data_time_text(data_time: datetime) -> str:
    """DataTime as the terminal wrote it: CST wall-clock time, 17 digits only if it carried milliseconds."""
    local = to_cst(data_time)
    return format_time(local, milliseconds=local.microsecond != 0)


def _fields(reading: Reading) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in (
        ("Rtd", reading.rtd),
        ("Min", reading.min),
        ("Avg", reading.avg),
        ("Max", reading.max),
        ("Cou", reading.cou),
    ):
        if value is not None:
            fields[name] = format_number(value)
    if reading.flag is not None:
        fields["Flag"] = reading.flag
    return fields


def _group_size(code: str, fields: dict[str, str]) -> int:
    """Bytes one factor takes in the data area, with its `;` separator."""
    return 1 + len(",".join(f"{code}-{name}={value}" for name, value in fields.items()).encode())


def _message(
    receipt: Receipt,
    *,
    password: str,
    params: dict[str, str],
    factors: dict[str, dict[str, str]],
    split: tuple[int, int] | None,
    qn: str,
) -> Message:
    return Message(
        qn=qn,
        st=receipt.st or FALLBACK_ST,
        cn=receipt.cn,
        pw=password,
        mn=receipt.mn,
        flag=make_flag(_VERSION, needs_reply=True, split=split is not None),
        pnum=None if split is None else split[0],
        pno=None if split is None else split[1],
        cp=CP(dict(params), factors),
    )


def _chunks(
    receipt: Receipt, factors: dict[str, dict[str, str]], *, password: str, params: dict[str, str]
) -> list[dict[str, dict[str, str]]]:
    """The factors in groups that each fit one split packet (greedy, in order)."""
    empty = _message(
        receipt,
        password=password,
        params=params,
        factors={},
        split=(_PLACEHOLDER_COUNT, _PLACEHOLDER_COUNT),
        qn=_QN_PLACEHOLDER,
    )
    room = MAX_SEGMENT - len(encode_message(empty))
    chunks: list[dict[str, dict[str, str]]] = [{}]
    used = 0
    for code, fields in factors.items():
        size = _group_size(code, fields)
        if size > room:
            raise UnforwardableReceipt(
                f"factor {code} of MN {receipt.mn} CN {receipt.cn} takes {size} bytes: more than one packet holds"
            )
        if used + size > room:
            chunks.append({})
            used = 0
        chunks[-1][code] = fields
        used += size
    return chunks


def build_packets(
    receipt: Receipt, readings: Sequence[Reading], *, password: str, qns: QnAllocator, at: datetime
) -> list[Packet]:
    """The packets that re-send `receipt` upstream (one, or several PNUM/PNO parts); raises UnforwardableReceipt."""
    params = {"DataTime": data_time_text(receipt.data_time)}
    factors = {r.code: fields for r in sorted(readings, key=lambda r: r.code) if (fields := _fields(r))}
    try:
        whole = _message(receipt, password=password, params=params, factors=factors, split=None, qn=_QN_PLACEHOLDER)
        if len(encode_message(whole)) <= MAX_SEGMENT:
            messages = [replace(whole, qn=qns.next(receipt.mn, at))]
        else:
            chunks = _chunks(receipt, factors, password=password, params=params)
            messages = [
                _message(
                    receipt,
                    password=password,
                    params=params,
                    factors=chunk,
                    split=(len(chunks), number),
                    qn=qns.next(receipt.mn, at),
                )
                for number, chunk in enumerate(chunks, start=1)
            ]
        return [Packet(receipt.mn, m.qn or "", encode(m)) for m in messages]
    except Hj212Error as exc:
        raise UnforwardableReceipt(f"MN {receipt.mn} CN {receipt.cn} cannot be written as HJ 212: {exc}") from exc
