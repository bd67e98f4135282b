"""A treatment-off stretch on one demo terminal, as HJ 212 minute packets: the production facility on throughout,
a linked treatment facility off for some minutes. What the end-to-end tests and the benchmarks send to raise a
known abnormal record; the terminal is one of `GET /api/registry/devices` (with its points and demo password).

`minute_frames` is sans-IO; `send_frames` sends them over one connection and notes each 9014, as a terminal
resending its history after an outage does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_core.time import CST
from hj212 import CP, FrameDecoder, Message, encode, format_time, new_qn, parse_message

__all__ = ["Packet", "linked_pairs", "minute_frames", "now_cst", "send_frames", "treatment_off"]

Packet = tuple[datetime, dict[str, dict[str, str]]]  # (DataTime, factor code → {"Avg": …, "Flag": …})


def linked_pairs(device: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(production facility, its first linked treatment facility) of a terminal, one per production facility."""
    pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for point in device["points"]:
        if point["role"] == "production" and point["facility"] and point["linked_facilities"]:
            pairs.setdefault(point["facility"]["id"], (point["facility"], point["linked_facilities"][0]))
    return list(pairs.values())


def treatment_off(
    device: dict[str, Any],
    production_id: str,
    treatment_id: str,
    start: datetime,
    *,
    minutes: int,
    off: range,
) -> list[Packet]:
    """Minute data from `start` (CST wall clock) for `minutes`: the production facility's points well above
    their thresholds throughout, the treatment facility's too except at the minutes in `off` (0 kW)."""
    packets: list[Packet] = []
    for minute in range(minutes):
        factors: dict[str, dict[str, str]] = {}
        for point in device["points"]:
            facility = (point["facility"] or {}).get("id")
            if facility not in (production_id, treatment_id):
                continue
            rated = point["rated_kw"] or 100.0
            running = max(rated * 0.8, (point["threshold_kw"] or rated * 0.1) * 3)
            kw = 0.0 if facility == treatment_id and minute in off else running
            factors[point["factor_code"]] = {"Avg": f"{kw:.2f}", "Flag": "N"}
        packets.append((start + timedelta(minutes=minute), factors))
    return packets


def minute_frames(device: dict[str, Any], packets: Iterable[Packet], *, sent_at: datetime) -> list[tuple[str, bytes]]:
    """(QN, frame) per packet: minute data (CN 2051, ST 44) with the terminal's password, answer wanted
    (Flag 9); QNs one millisecond apart from `sent_at` (CST wall clock), so each packet has its own."""
    frames = []
    for offset, (data_time, factors) in enumerate(packets):
        qn = new_qn(sent_at + timedelta(milliseconds=offset))
        cp = CP(params={"DataTime": format_time(data_time)}, factors=factors)
        message = Message(qn=qn, st="44", cn="2051", pw=device["demo_password"], mn=device["mn"], flag=9, cp=cp)
        frames.append((qn, encode(message)))
    return frames


def now_cst() -> datetime:
    """The CST wall clock, naive, as QNs and DataTimes carry it."""
    return datetime.now(CST).replace(tzinfo=None)


async def send_frames(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, frames: list[tuple[str, bytes]], timeout_s: float = 60
) -> dict[str, datetime]:
    """Write `frames` at once and read until each has its 9014 (or the connection closes); QN → when its
    acknowledgement arrived (UTC)."""
    for _qn, frame in frames:
        writer.write(frame)
    await writer.drain()
    decoder, waiting, acked = FrameDecoder(), {qn for qn, _frame in frames}, {}
    while waiting:
        chunk = await asyncio.wait_for(reader.read(65536), timeout=timeout_s)
        if not chunk:
            break
        decoder.feed(chunk)
        for event in decoder.events():
            if isinstance(event, Exception):
                continue
            answer = parse_message(event.segment)
            if answer.cn == "9014" and answer.qn in waiting:
                waiting.discard(answer.qn)
                acked[answer.qn] = datetime.now(UTC)
    return acked
