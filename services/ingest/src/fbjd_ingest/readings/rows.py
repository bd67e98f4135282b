"""From a parsed HJ 212 upload to the rows the writer stores (pure functions, no I/O).

A factor's numeric fields (Rtd, Avg, Min, Max, Cou) go to columns, its data flag to `flag`, everything else
(ZsRtd, SampleTime, EFlag, SBn-RS run states, Info texts, values that are not numbers) to `extra`, as sent:
nothing the terminal said is dropped.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from typing import NamedTuple

from hj212 import Message

from fbjd_ingest.devices.directory import DeviceInfo

__all__ = ["ReadingRow", "ReceiptRow", "cst_day", "reading_rows", "receipt_row"]

_NUMERIC = {"Rtd": 0, "Avg": 1, "Min": 2, "Max": 3, "Cou": 4}
_CST_OFFSET = timedelta(hours=8)  # China has had no daylight-saving time since 1991


class ReceiptRow(NamedTuple):
    ps_id: str
    mn: str
    cn: str
    data_time: datetime
    qn: str | None
    st: str | None
    flag: int | None
    pnum: int | None
    pno: int | None
    params: str | None  # JSON text
    peer: str | None
    received_at: datetime


class ReadingRow(NamedTuple):
    ps_id: str
    mn: str
    cn: str
    code: str
    data_time: datetime
    rtd: float | None
    avg: float | None
    min: float | None
    max: float | None
    cou: float | None
    flag: str | None
    quantity: str | None
    point_id: str | None
    extra: str | None  # JSON text
    received_at: datetime


def cst_day(moment: datetime) -> date:
    """The China-Standard-Time calendar day of an aware UTC time (partitions and rollups are per CST day)."""
    return (moment + _CST_OFFSET).date()


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def receipt_row(
    device: DeviceInfo, msg: Message, data_time: datetime, received_at: datetime, peer: str | None
) -> ReceiptRow:
    params = {k: v for k, v in msg.cp.params.items() if k != "DataTime"}
    return ReceiptRow(
        device.ps_id,
        device.mn,
        msg.cn or "",
        data_time,
        msg.qn,
        msg.st,
        msg.flag,
        msg.pnum,
        msg.pno,
        json.dumps(params, ensure_ascii=False) if params else None,
        peer,
        received_at,
    )


def reading_rows(device: DeviceInfo, msg: Message, data_time: datetime, received_at: datetime) -> list[ReadingRow]:
    rows: list[ReadingRow] = []
    ps_id, mn, cn = device.ps_id, device.mn, msg.cn or ""
    for code, fields in msg.cp.factors.items():
        values: list[float | None] = [None, None, None, None, None]
        flag: str | None = None
        extra: dict[str, str] | None = None
        for name, text in fields.items():
            index = _NUMERIC.get(name)
            if index is not None and (number := _number(text)) is not None:
                values[index] = number
            elif name == "Flag":
                flag = text
            else:
                if extra is None:
                    extra = {}
                extra[name] = text
        quantity, point_id = device.resolve(code)
        rows.append(
            ReadingRow(
                ps_id,
                mn,
                cn,
                code,
                data_time,
                values[0],
                values[1],
                values[2],
                values[3],
                values[4],
                flag,
                quantity,
                point_id,
                None if extra is None else json.dumps(extra, ensure_ascii=False),
                received_at,
            )
        )
    return rows
