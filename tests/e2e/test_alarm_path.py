"""The whole path, over real TCP and HTTP, on the platform `fbjd run` starts: a demo enterprise's terminal sends
minute data in which production runs while its treatment is off for 20 minutes → ingest stores it → rules raise
one treatment-abnormal record → workflow opens the enterprise's self-check → the bridge pushes the record to the
(simulated) province in the interface's exact format."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fbjd_core.time import CST
from hj212 import CP, FrameDecoder, Message, encode, format_time, new_qn, parse_message

from .conftest import Platform

MINUTES = 50  # 10 min all on, 20 min treatment off, 20 min all on again


def _poll(what: str, fetch: Callable[[], Any], timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = fetch()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: nothing within {timeout_s} s")


def _pick(devices: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A demo terminal, one of its production facilities and a treatment facility linked to it."""
    for device in devices:
        for point in device["points"]:
            if point["role"] == "production" and point["facility"] and point["linked_facilities"]:
                return device, point["facility"], point["linked_facilities"][0]
    raise AssertionError("the demo city has no linked production facility")


def _minute_data(device: dict[str, Any], production: dict[str, Any], treatment: dict[str, Any], start: datetime):
    """(DataTime, factors) per minute: production on throughout, the treatment off from minute 10 to 30."""
    for minute in range(MINUTES):
        treatment_on = not 10 <= minute < 30
        factors: dict[str, dict[str, str]] = {}
        for point in device["points"]:
            rated = point["rated_kw"] or 100.0
            threshold = point["threshold_kw"] or rated * 0.1
            if point["facility"] and point["facility"]["id"] == production["id"]:
                kw = max(rated * 0.8, threshold * 3)
            elif point["facility"] and point["facility"]["id"] == treatment["id"]:
                kw = max(rated * 0.8, threshold * 3) if treatment_on else 0.0
            else:
                continue
            factors[point["factor_code"]] = {"Avg": f"{kw:.2f}", "Flag": "N"}
        yield start + timedelta(minutes=minute), factors


async def _send(platform: Platform, device: dict[str, Any], packets: list[tuple[datetime, dict[str, Any]]]) -> int:
    """Send the minute packets over HJ 212 and wait for each 9014; returns how many were acknowledged."""
    reader, writer = await asyncio.open_connection("127.0.0.1", platform.hj212_port)
    decoder, acked, sent = FrameDecoder(), set(), []
    for data_time, factors in packets:
        qn = new_qn(datetime.now(CST).replace(tzinfo=None))
        while qn in sent:  # one QN per packet, even within the same millisecond
            await asyncio.sleep(0.002)
            qn = new_qn(datetime.now(CST).replace(tzinfo=None))
        sent.append(qn)
        cp = CP(params={"DataTime": format_time(data_time)}, factors=factors)
        message = Message(qn=qn, st="44", cn="2051", pw=device["demo_password"], mn=device["mn"], flag=9, cp=cp)
        writer.write(encode(message))
    await writer.drain()
    deadline = asyncio.get_running_loop().time() + 30
    while len(acked) < len(sent) and asyncio.get_running_loop().time() < deadline:
        chunk = await asyncio.wait_for(reader.read(65536), timeout=30)
        decoder.feed(chunk)
        for event in decoder.events():
            if isinstance(event, Exception):
                continue
            answer = parse_message(event.segment)
            if answer.cn == "9014":
                acked.add(answer.qn)
    writer.close()
    await writer.wait_closed()
    return len(acked & set(sent))


def test_production_on_treatment_off_for_20_min_reaches_the_province_once_per_treatment_node(
    platform: Platform,
) -> None:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    with httpx.Client(base_url=platform.base_url, headers=headers, timeout=30) as api:
        _follow_one_abnormal(platform, api)


def _follow_one_abnormal(platform: Platform, api: httpx.Client) -> None:
    devices = _poll("demo devices", lambda: api.get("/api/registry/devices").raise_for_status().json())
    device, production, treatment = _pick(devices)
    start = (datetime.now(CST) - timedelta(hours=3)).replace(tzinfo=None, second=0, microsecond=0)
    packets = list(_minute_data(device, production, treatment, start))
    assert asyncio.run(_send(platform, device, packets)) == MINUTES, "every minute packet is acknowledged"

    window_from = start.replace(tzinfo=CST).astimezone(UTC)
    window_to = window_from + timedelta(minutes=MINUTES)

    def overlaps_our_window(r: dict[str, Any]) -> bool:
        """The demo terminal is simulated live too (its own injected violations, now): judge only our window."""
        begins = datetime.fromisoformat(r["start"].replace("Z", "+00:00"))
        ends = datetime.fromisoformat(r["end"].replace("Z", "+00:00"))
        return begins < window_to and ends > window_from

    def record() -> list[dict[str, Any]]:
        found = api.get("/api/rules/abnormals", params={"ps_id": device["ps_id"]}).json()
        items = found["items"] if isinstance(found, dict) else found
        return [
            r
            for r in items
            if r["production_facility_id"] == production["id"]
            and r["treatment_facility_id"] == treatment["id"]
            and overlaps_our_window(r)
        ]

    records = _poll("the rules' records", record)
    began = start.replace(tzinfo=CST).astimezone(UTC) + timedelta(minutes=10)
    nodes = {r["treatment_point_id"] for r in records}
    assert len(records) == len(nodes), f"one record per treatment node, not doubled: {records}"
    for abnormal in records:
        assert abnormal["type"] == "treatment_abnormal" and abnormal["duration_minutes"] == 20, abnormal
        assert datetime.fromisoformat(abnormal["start"].replace("Z", "+00:00")) == began
    abnormal = records[0]

    def workflow_alarm() -> dict[str, Any] | None:
        reply = api.get(f"/api/workflow/alarms/{abnormal['id']}")
        return reply.json() if reply.status_code == 200 else None  # 404 until the rules' outbox delivered it

    alarm = _poll("the workflow alarm", workflow_alarm)
    assert alarm["stage"] == "enterprise_check", "a new alarm starts with the enterprise's self-check"

    def at_province() -> list[dict[str, Any]] | None:
        """The province's records of this production facility, once every treatment node has arrived."""
        received = httpx.get(f"{platform.province_url}/_received").json()["records"]
        mine = [
            r
            for r in received
            if r["psId"] == device["ps_id"]
            and r["productorEquipId"] == production["id"]
            and r["exTimeStart"] == (start + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
        ]
        return mine if {r["treatmentAmmeterId"] for r in mine} >= nodes else None

    pushed_all = _poll("the province's records", at_province)
    assert sorted(p["treatmentAmmeterId"] for p in pushed_all) == sorted(nodes), "each node reaches it once"
    pushed = pushed_all[0]
    assert pushed["_endpoint"] == "abnormal" and pushed["treatmentId"] == treatment["id"]
    assert pushed["exTimeStart"] == (start + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    assert pushed["exTimeEnd"] == (start + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    assert pushed["exDay"] == (start + timedelta(minutes=30)).strftime("%Y-%m-%d")
