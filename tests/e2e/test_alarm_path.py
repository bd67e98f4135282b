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
from fbjd_infra.simulators.stretches import Packet, linked_pairs, minute_frames, now_cst, send_frames, treatment_off

from .conftest import Platform

MINUTES = 50  # 10 min all on, 20 min treatment off, 20 min all on again


def _poll(what: str, fetch: Callable[[], Any], timeout_s: float = 180.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = fetch()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: nothing within {timeout_s} s")


def _pick(devices: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A demo terminal, one of its production facilities and a treatment facility linked to it."""
    device = next((d for d in devices if linked_pairs(d)), None)
    assert device is not None, "the demo city has no linked production facility"
    return device, *linked_pairs(device)[0]


async def _send(platform: Platform, device: dict[str, Any], packets: list[Packet]) -> int:
    """Send the minute packets over HJ 212 and wait for each 9014; returns how many were acknowledged."""
    reader, writer = await asyncio.open_connection("127.0.0.1", platform.hj212_port)
    try:
        return len(await send_frames(reader, writer, minute_frames(device, packets, sent_at=now_cst()), timeout_s=30))
    finally:
        writer.close()
        await writer.wait_closed()


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
    packets = treatment_off(device, production["id"], treatment["id"], start, minutes=MINUTES, off=range(10, 30))
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
            and r["status"] == "open"  # a record judged on part of the burst may be withdrawn once all has arrived
            and overlaps_our_window(r)
        ]

    def settled() -> list[dict[str, Any]] | None:
        """The open records, once each has its final 20 minutes (one judged on part of the burst may show a
        different stretch for a moment, and is withdrawn or corrected when the rest has arrived)."""
        found = record()
        return found if found and all(r["duration_minutes"] == 20 for r in found) else None

    try:
        records = _poll("the rules' records", settled)
    except AssertionError:
        records = record()  # report what is there instead of a time-out
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
