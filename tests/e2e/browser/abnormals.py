"""Abnormal records to act on, made the way a terminal makes them: minute data over HJ 212 in which a production
facility of the demo ceramics works (华信陶瓷) runs while its treatment facility is off, then waiting until the
rules have judged it and the workflow lists the alarm.

The demo terminals are simulated live (minutes from now on belong to the simulator), so stretches lie either
hours in the past (before the platform started) or ahead of the clock (a terminal's clock may run ahead; ingest
keeps DataTimes up to a day ahead), never in the minutes the simulator is sending.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from fbjd_core.time import CST
from fbjd_infra.simulators.stretches import Packet, linked_pairs, minute_frames, now_cst, treatment_off
from hj212 import FrameDecoder, parse_message

__all__ = ["CERAMICS_WORKS", "Stretch", "poll", "send_stretch", "stretch_on", "wait_for_alarm"]

CERAMICS_WORKS = "华信陶瓷"
T = TypeVar("T")


def poll(what: str, fetch: Callable[[], T | None], timeout_s: float = 60.0, every_s: float = 0.5) -> T:
    """`fetch()` until it gives something truthy; AssertionError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = fetch()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: nothing within {timeout_s:.0f} s")
        time.sleep(every_s)


@dataclass(frozen=True)
class Stretch:
    """Minute data of one terminal from `start` (CST wall clock) for `minutes`: the production facility on
    throughout, the treatment facility off during [off_from, off_to) minutes after `start`."""

    device: dict[str, Any]
    production: dict[str, Any]
    treatment: dict[str, Any]
    start: datetime
    minutes: int
    off_from: int
    off_to: int

    @property
    def ps_id(self) -> str:
        return str(self.device["ps_id"])

    def packets(self, first: int = 0, last: int | None = None) -> list[Packet]:
        """(DataTime, factors) of minutes first..last (exclusive)."""
        off = range(self.off_from, self.off_to)
        whole = treatment_off(
            self.device, self.production["id"], self.treatment["id"], self.start, minutes=self.minutes, off=off
        )
        return whole[first:last]


def stretch_on(
    api: httpx.Client,
    *,
    start: datetime,
    minutes: int,
    off_from: int,
    off_to: int,
    ceramics_works: bool = True,
    facility_index: int = 0,
) -> Stretch:
    """A stretch on the ceramics works' terminal (or, with `ceramics_works=False`, another enterprise's): its
    `facility_index`-th production facility with a linked treatment facility (different indexes give records
    that do not touch each other)."""
    devices = poll("the demo terminals", lambda: api.get("/api/registry/devices").raise_for_status().json())
    device = next(d for d in devices if (CERAMICS_WORKS in d["enterprise_name"]) == ceramics_works and linked_pairs(d))
    production, treatment = linked_pairs(device)[facility_index]
    start = start.astimezone(CST).replace(tzinfo=None, second=0, microsecond=0)
    return Stretch(device, production, treatment, start, minutes, off_from, off_to)


def _send(hj212_port: int, device: dict[str, Any], packets: list[Packet]) -> int:
    """Send minute packets (2051) over one TCP connection, as a terminal resending after an outage does; the
    number the platform acknowledged (9014). Plain blocking sockets: the tests drive a browser on this thread."""
    decoder, acked = FrameDecoder(), set()
    frames = minute_frames(device, packets, sent_at=now_cst())
    sent = [qn for qn, _frame in frames]
    with socket.create_connection(("127.0.0.1", hj212_port), timeout=30) as connection:
        connection.sendall(b"".join(frame for _qn, frame in frames))
        deadline = time.monotonic() + 30
        while len(acked) < len(sent) and time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                break
            decoder.feed(chunk)
            for event in decoder.events():
                if not isinstance(event, Exception) and (answer := parse_message(event.segment)).cn == "9014":
                    acked.add(answer.qn)
    return len(acked & set(sent))


def send_stretch(hj212_port: int, stretch: Stretch, first: int = 0, last: int | None = None) -> None:
    packets = stretch.packets(first, last)
    acknowledged = _send(hj212_port, stretch.device, packets)
    assert acknowledged == len(packets), f"the platform acknowledged {acknowledged} of {len(packets)} packets"


def wait_for_alarm(api: httpx.Client, stretch: Stretch, *, timeout_s: float = 60.0) -> dict[str, Any]:
    """The workflow's alarm for the stretch's abnormal (its record starts where the treatment went off)."""
    began = stretch.start.replace(tzinfo=CST) + timedelta(minutes=stretch.off_from)

    def alarm() -> dict[str, Any] | None:
        listed = api.get("/api/workflow/alarms", params={"ps_id": stretch.ps_id, "limit": 1000})
        for found in listed.raise_for_status().json():
            starts = datetime.fromisoformat(found["start"].replace("Z", "+00:00"))
            ours = (found["production_facility_id"], found["treatment_facility_id"]) == (
                stretch.production["id"],
                stretch.treatment["id"],
            )
            if ours and starts == began:
                return dict(found)
        return None

    return poll("the workflow's alarm for the stretch", alarm, timeout_s)
