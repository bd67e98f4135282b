"""The HJ 212 TCP path against real PostgreSQL: what a terminal sends is stored, answered, and never lost."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg
from fbjd_core.auth import Role, decode_token
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import from_cst, now
from hj212 import build_frame

from .conftest import PW, IngestUnderTest, RulesInbox, cst, minute_floor, new_mn

POWER = {"d20501": {"Rtd": "132.5", "Flag": "N"}, "d20601": {"Rtd": "88123.4", "Flag": "N"}}


async def test_good_packets_with_malformed_ones_between_them_are_all_stored_and_acknowledged(
    ingest: IngestUnderTest,
) -> None:
    device = await ingest.register(min_interval_s=60)
    mn = device["mn"]
    before = (await ingest.stats())["bad_frames"]["by_type"]
    terminal = await ingest.terminal(mn, answer_commands=True)
    base = minute_floor(cst(now()) - timedelta(hours=3), 1)
    good = [terminal.upload("2051", base + timedelta(minutes=i), POWER) for i in range(6)]
    crc_bad = bytearray(terminal.upload("2051", base + timedelta(minutes=50), POWER)[1])
    crc_bad[-6:-2] = b"0000" if crc_bad[-6:-2] != b"0000" else b"1111"
    no_mn = build_frame(f"QN=20260101000000000;ST=32;CN=2051;PW={PW};Flag=5;CP=&&DataTime=20260101000000&&")
    stream = b"".join(
        [
            good[0][1],
            b"garbage from a flaky GPRS modem\r\n",
            good[1][1],
            bytes(crc_bad),
            good[2][1],
            b"##99x9QN=broken\r\n",
            good[3][1][:40],
            good[4][1],  # a packet cut short, then a good one
            no_mn,
            good[5][1],
        ]
    )
    await terminal.write(stream[:300])  # split across TCP segments at an arbitrary point
    await terminal.write(stream[300:])
    complete = [good[i] for i in (0, 1, 2, 4, 5)]
    for qn, _ in complete:
        ack = await terminal.ack(qn)
        assert (ack.cn, ack.st, ack.flag, ack.mn) == ("9014", "91", 4, mn)
    assert await terminal.no_ack(good[3][0], wait=0.2), "the packet cut short is not acknowledged"
    assert len(terminal.acks) == 5, "only the good packets are acknowledged"
    data = await ingest.data(mn, start=(base - timedelta(minutes=1)).isoformat(), cn="2051")
    assert [item["values"]["d20501"]["rtd"] for item in data["items"]] == [132.5] * 5  # good[3] was cut short
    assert len(data["items"]) == 5
    after = (await ingest.stats())["bad_frames"]["by_type"]
    grown = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in after}
    assert grown.get("CrcMismatch") == 1
    assert grown.get("BadHeader", 0) >= 1
    assert grown.get("MissingField") == 1
    assert sum(grown.values()) >= 4
    await terminal.close()


async def test_a_split_packet_is_stored_part_by_part_and_each_part_is_acknowledged(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn)
    at = minute_floor(cst(now()) - timedelta(hours=2))
    part1 = await terminal.send("2051", at, {"d20501": {"Avg": "10.5", "Flag": "N"}}, flag=7, pnum=2, pno=1)
    part2 = await terminal.send("2051", at, {"d30501": {"Avg": "3.25", "Flag": "N"}}, flag=7, pnum=2, pno=2)
    assert (await terminal.ack(part1)).qn == part1
    assert (await terminal.ack(part2)).qn == part2
    data = await ingest.data(mn, start=(at - timedelta(minutes=1)).isoformat())
    assert len(data["items"]) == 1
    values = data["items"][0]["values"]
    assert values["d20501"]["avg"] == 10.5 and values["d30501"]["avg"] == 3.25
    rollup = await ingest.sql("SELECT sum(received) AS n FROM ingest.receipts_daily WHERE mn = $1", mn)
    assert rollup[0]["n"] == 1, "one DataTime received, however many parts"
    await terminal.close()


async def test_a_resend_burst_after_an_outage_is_stored_once(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    base = minute_floor(cst(now()) - timedelta(hours=4))
    times = [base + timedelta(minutes=5 * i) for i in range(15)]
    terminal = await ingest.terminal(mn)
    for qn in [await terminal.send("2051", t, POWER) for t in times[:10]]:
        await terminal.ack(qn)
    await terminal.close()  # the network goes down
    terminal = await ingest.terminal(mn)  # and comes back: the terminal pushes everything it holds, in a burst
    burst = [terminal.upload("2051", t, POWER) for t in times]
    await terminal.write(b"".join(data for _, data in burst))
    for qn, _ in burst:
        await terminal.ack(qn)
    rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = $1", mn)
    assert rows[0]["n"] == 15 * 2
    rollup = await ingest.sql("SELECT sum(received) AS n FROM ingest.receipts_daily WHERE mn = $1", mn)
    assert rollup[0]["n"] == 15
    await terminal.close()


async def test_a_wrong_password_is_refused_logged_as_a_security_event_and_nothing_is_stored(
    ingest: IngestUnderTest,
) -> None:
    mn = (await ingest.register(pw="654321"))["mn"]
    terminal = await ingest.terminal(mn, pw="000000")
    qn = await terminal.send("2051", minute_floor(cst(now()) - timedelta(hours=1)), POWER)
    assert await terminal.no_ack(qn), "a refused packet is not acknowledged"
    events = await ingest.http.get("/api/ingest/security-events", params={"mn": mn}, headers=ingest.auth())
    assert [(e["kind"], e["qn"]) for e in events.json()["items"]] == [("wrong_password", qn)]
    assert (await ingest.data(mn))["items"] == []
    assert terminal.commands == [], "no set-up is sent to a terminal that did not authenticate"
    await terminal.close()


async def test_an_unknown_terminal_is_quarantined_and_its_data_adopted_when_it_is_registered(
    ingest: IngestUnderTest,
) -> None:
    mn = new_mn()
    terminal = await ingest.terminal(mn)
    base = minute_floor(cst(now()) - timedelta(hours=5))
    qns = [await terminal.send("2051", base + timedelta(minutes=5 * i), POWER) for i in range(3)]
    for qn in qns:
        await terminal.ack(qn)  # answered, so the terminal does not resend for ever
    listing = await ingest.http.get("/api/ingest/quarantine", headers=ingest.auth())
    group = next(g for g in listing.json()["items"] if g["mn"] == mn)
    assert (group["reason"], group["packets"], group["cns"]) == ("unknown_mn", 3, ["2051"])
    assert "PW=***" in group["samples"][0]["raw"], "the password is masked"
    registered = await ingest.register(mn)
    assert registered["adopted"] == {"packets": 3, "readings": 6, "left": 0}
    assert len((await ingest.data(mn, start=(base - timedelta(minutes=1)).isoformat()))["items"]) == 3
    listing = await ingest.http.get("/api/ingest/quarantine", headers=ingest.auth())
    assert all(g["mn"] != mn for g in listing.json()["items"])
    qn = await terminal.send("2051", base + timedelta(minutes=15), POWER)  # from now on stored directly
    await terminal.ack(qn)
    assert len((await ingest.data(mn, start=(base - timedelta(minutes=1)).isoformat()))["items"]) == 4
    await terminal.close()


async def test_an_acknowledgement_is_sent_only_after_the_data_is_committed(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn, answer_commands=True)
    at = minute_floor(cst(now()) - timedelta(minutes=30))
    locker = await asyncpg.connect(asyncpg_dsn(ingest.database_url))
    tx = locker.transaction()
    await tx.start()
    await locker.execute("LOCK TABLE ingest.receipts IN EXCLUSIVE MODE")  # readers pass, the writer waits
    try:
        qn = await terminal.send("2051", at, POWER)
        assert await terminal.no_ack(qn, wait=0.6), "no 9014 while the write is not committed"
        rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = $1", mn)
        assert rows[0]["n"] == 0
    finally:
        await tx.rollback()
        await locker.close()
    await terminal.ack(qn)
    rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = $1", mn)
    assert rows[0]["n"] == 2
    await terminal.close()


async def test_a_packet_whose_write_fails_is_not_acknowledged_and_its_resend_is_stored_once(
    ingest: IngestUnderTest,
) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn)
    at = minute_floor(cst(now()) - timedelta(minutes=40))
    qn, packet = terminal.upload("2051", at, POWER)
    locker = await asyncpg.connect(asyncpg_dsn(ingest.database_url))
    tx = locker.transaction()
    await tx.start()
    await locker.execute("LOCK TABLE ingest.receipts IN EXCLUSIVE MODE")
    try:
        await terminal.write(packet)
        for _ in range(100):  # the writer is now blocked by our lock: cut its connection, as a failover would
            killed = await locker.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'fbjd-ingest' AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if killed:
                break
            await asyncio.sleep(0.02)
        assert killed, "the writer never waited on the lock"
        assert await terminal.no_ack(qn, wait=0.5)
    finally:
        await tx.rollback()
        await locker.close()
    assert await terminal.no_ack(qn, wait=0.3), "a failed write is never acknowledged"
    await terminal.write(packet)  # the terminal's time-out expires: it resends the same packet
    await terminal.ack(qn)
    await terminal.write(packet)  # and once more, as terminals do
    await terminal.ack(qn)
    rows = await ingest.sql("SELECT count(*) AS n FROM ingest.readings WHERE mn = $1", mn)
    assert rows[0]["n"] == 2
    await terminal.close()


async def test_stored_data_is_announced_to_the_rules_service_with_its_device_and_time_span(
    ingest: IngestUnderTest, rules_inbox: RulesInbox, jwt_secret: str
) -> None:
    device = await ingest.register()
    base = minute_floor(cst(now()) - timedelta(hours=2))
    terminal = await ingest.terminal(device["mn"])
    for i in range(3):
        await terminal.ack(await terminal.send("2051", base + timedelta(minutes=5 * i), POWER))
    await terminal.close()
    expected = (from_cst(base), from_cst(base + timedelta(minutes=10)))
    for _ in range(100):  # the three packets may be announced in one window or in several, batch by batch
        mine = [w for w in rules_inbox.windows if w["mn"] == device["mn"]]
        starts = min((datetime.fromisoformat(w["start"]) for w in mine), default=None)
        ends = max((datetime.fromisoformat(w["end"]) for w in mine), default=None)
        if (starts, ends) == expected:
            break
        await asyncio.sleep(0.1)
    assert (starts, ends) == expected
    assert {w["ps_id"] for w in mine} == {device["ps_id"]}
    principal = decode_token(rules_inbox.tokens[-1].removeprefix("Bearer "), secret=jwt_secret)
    assert principal.role is Role.SERVICE
