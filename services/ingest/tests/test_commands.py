"""What the center asks of terminals: the §6.7 set-up, time calibration, clock corrections, gap filling, and
commands an operator sends through the API, each recorded with the terminal's 9011/9012."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now

from .conftest import IngestUnderTest, cst, minute_floor

POWER = {"d20501": {"Rtd": "132.5", "Flag": "N"}}


async def _commands(ingest: IngestUnderTest, mn: str, *, until: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The device's command log (oldest first) once `until` commands have a final state."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        reply = await ingest.http.get(f"/api/ingest/devices/{mn}/commands", headers=ingest.auth())
        items: list[dict[str, Any]] = list(reversed(reply.json()["items"]))
        final = [c for c in items if c["state"] not in ("sent", "accepted")]
        if len(final) >= until or asyncio.get_running_loop().time() > deadline:
            return items
        await asyncio.sleep(0.05)


async def test_a_terminal_gets_the_set_up_of_the_standard_on_its_first_connection(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register(rtd_interval_s=30, min_interval_s=600))["mn"]
    terminal = await ingest.terminal(mn)
    await terminal.ack(await terminal.send("2011", cst(now()), POWER))
    commands = await _commands(ingest, mn, until=4)
    assert [c["cn"] for c in commands] == ["1012", "1000", "1062", "1064"]
    assert all(c["state"] == "done" and c["qn_rtn"] == 1 and c["exe_rtn"] == 1 for c in commands)
    assert commands[2]["params"] == {"RtdInterval": "30"} and commands[3]["params"] == {"MinInterval": "10"}
    assert all(c["origin"] == "setup" for c in commands)
    await terminal.close()


async def test_a_time_calibration_request_is_answered_with_9013_and_the_time_is_set(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn, answer_commands=True)
    qn = await terminal.send("1013", None, {}, params={"PolId": "d20501"})
    ack = await terminal.ack(qn)
    assert (ack.cn, ack.qn) == ("9013", qn)
    commands = await _commands(ingest, mn, until=5)
    asked = [c for c in commands if c["origin"] == "time_request"]
    assert len(asked) == 1 and asked[0]["cn"] == "1012" and asked[0]["state"] == "done"
    sent_time = datetime.strptime(asked[0]["params"]["SystemTime"], "%Y%m%d%H%M%S")
    assert abs(sent_time - cst(now())) < timedelta(seconds=10), "SystemTime is the center's CST clock"
    await terminal.close()


async def test_a_terminal_whose_clock_is_off_by_more_than_a_minute_gets_its_time_set(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn)
    fast_clock = cst(now()) + timedelta(minutes=7)
    await terminal.ack(await terminal.send("2011", fast_clock, POWER, qn=None))
    commands = await _commands(ingest, mn, until=5)
    assert [c["cn"] for c in commands if c["origin"] == "clock_skew"] == ["1012"]
    # real-time data resent later (its QN, the send time, is well after its DataTime) is not a clock error
    other = (await ingest.register())["mn"]
    resender = await ingest.terminal(other)
    old = cst(now()) - timedelta(hours=2)
    await resender.ack(await resender.send("2011", old, POWER))
    commands = await _commands(ingest, other, until=4)
    assert [c for c in commands if c["origin"] == "clock_skew"] == []
    await terminal.close()
    await resender.close()


async def test_after_an_outage_the_center_asks_for_the_missing_minutes_and_stores_them(
    ingest: IngestUnderTest,
) -> None:
    mn = (await ingest.register(min_interval_s=300))["mn"]
    latest = minute_floor(cst(now()) - timedelta(minutes=5))
    before_outage = latest - timedelta(minutes=30)

    def stored(_cn: str, begin: datetime, end: datetime) -> Iterable[tuple[datetime, dict[str, dict[str, str]]]]:
        t = begin
        while t <= end:
            yield t, {"d20501": {"Avg": "99.0", "Flag": "N"}}
            t += timedelta(minutes=5)

    terminal = await ingest.terminal(mn, history=stored)
    await terminal.ack(await terminal.send("2051", before_outage, POWER))
    await terminal.close()  # outage: 08:00 … 08:25 never sent
    terminal = await ingest.terminal(mn, history=stored)
    await terminal.ack(await terminal.send("2051", latest, POWER))
    commands = await _commands(ingest, mn, until=9, timeout=8)
    history = [c for c in commands if c["origin"] == "gap_fill"]
    assert len(history) == 1 and history[0]["cn"] == "2051" and history[0]["state"] == "done"
    begin = datetime.strptime(history[0]["params"]["BeginTime"], "%Y%m%d%H%M%S")
    end = datetime.strptime(history[0]["params"]["EndTime"], "%Y%m%d%H%M%S")
    assert (begin, end) == (before_outage + timedelta(minutes=5), latest - timedelta(minutes=5))
    data = await ingest.data(mn, start=(before_outage - timedelta(minutes=1)).isoformat(), cn="2051")
    assert len(data["items"]) == 7, "the two live packets and the five missing ones"
    await terminal.close()


async def test_an_operator_sets_the_minute_interval_of_a_connected_terminal(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    refused = await ingest.http.post(
        f"/api/ingest/devices/{mn}/commands", headers=ingest.auth(), json={"action": "set_min_interval", "minutes": 10}
    )
    assert refused.status_code == 409 and "not connected" in refused.json()["error"]["message"]
    terminal = await ingest.terminal(mn)
    await terminal.ack(await terminal.send("2051", minute_floor(cst(now())), POWER))
    reply = await ingest.http.post(
        f"/api/ingest/devices/{mn}/commands",
        headers=ingest.auth(),
        json={"action": "set_min_interval", "minutes": 10, "wait_s": 5},
    )
    assert reply.status_code == 202, reply.text
    command = reply.json()
    assert (command["cn"], command["state"], command["exe_rtn_text"]) == ("1064", "done", "executed successfully")
    assert command["requested_by"] == "tester"
    device = await ingest.http.get(f"/api/ingest/devices/{mn}", headers=ingest.auth())
    assert device.json()["min_interval_s"] == 600
    get_time = await ingest.http.post(
        f"/api/ingest/devices/{mn}/commands", headers=ingest.auth(), json={"action": "get_time", "wait_s": 5}
    )
    assert get_time.json()["answer"]["SystemTime"]
    enterprise = await ingest.http.post(
        f"/api/ingest/devices/{mn}/commands",
        headers=ingest.auth(Role.ENTERPRISE, enterprise_id="0" * 32),
        json={"action": "calibrate_time"},
    )
    assert enterprise.status_code == 403
    await terminal.close()
