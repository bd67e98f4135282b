"""A bridge that dies between the province's acceptance and its own commit, or a reply lost on the way:
the rows stay pending and are sent again with the same exTimeStart, and the province — which merges
consecutive reports of one treatment point — still holds one record, with the true end."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Bridge, Eventually, Province, RecordFactory


async def test_a_crash_between_send_and_commit_leaves_one_record_at_the_province(
    bridge: Bridge, province: Province, make_record: RecordFactory, eventually: Eventually
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id, start="2026-03-01T02:00:00Z", end="2026-03-01T02:30:00Z")
    await bridge.post_record(record)
    await province.switch("slow", delay_s=1.0)  # takes the records, answers late

    dying = asyncio.create_task(bridge.sender().drain_once())

    async def province_took_it() -> bool:
        return len(province.arrivals(ps_id)) == 1

    await eventually(province_took_it)
    dying.cancel()  # the process dies: its transaction never commits
    with contextlib.suppress(asyncio.CancelledError):
        await dying
    assert await bridge.outbox_states(record["id"]) == [(1, "pending")]

    await province.switch("ok")
    assert await bridge.sender().drain_until_idle() == 1  # a restarted sender sends it again
    [held] = province.records(ps_id)
    assert held["_reports"] == 2 and len(province.arrivals(ps_id)) == 2
    assert (held["exTimeStart"], held["exTimeEnd"]) == ("2026-03-01 10:00:00", "2026-03-01 10:30:00")
    assert await bridge.outbox_states(record["id"]) == [(1, "sent")]


async def test_a_crash_then_a_longer_version_still_makes_one_record_with_the_later_end(
    bridge: Bridge, province: Province, make_record: RecordFactory, eventually: Eventually
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id, start="2026-03-01T15:30:00Z", end="2026-03-01T15:50:00Z")  # 23:30 → 23:50 CST
    await bridge.post_record(record)
    await province.switch("slow", delay_s=1.0)
    dying = asyncio.create_task(bridge.sender().drain_once())

    async def province_took_it() -> bool:
        return len(province.arrivals(ps_id)) == 1

    await eventually(province_took_it)
    dying.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await dying

    # While the bridge was down the record went on past midnight.
    await bridge.post_record({**record, "version": 2, "end": "2026-03-01T16:40:00Z"})
    await province.switch("ok")
    await bridge.sender().drain_until_idle()
    [held] = province.records(ps_id)
    assert (held["exTimeStart"], held["exTimeEnd"], held["exDay"]) == (
        "2026-03-01 23:30:00",
        "2026-03-02 00:40:00",
        "2026-03-02",
    )
    assert await bridge.outbox_states(record["id"]) == [(1, "superseded"), (2, "sent")]


async def test_a_lost_reply_is_retried_and_merged_not_doubled(
    bridge: Bridge, province: Province, make_record: RecordFactory, eventually: Eventually
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id)
    await bridge.post_record(record)
    await province.switch("slow", delay_s=0.8)
    sender = bridge.sender(province_timeout_seconds=0.2)
    assert await sender.drain_until_idle() == 0  # timed out: the province has it, the bridge does not know
    assert len(province.arrivals(ps_id)) == 1
    status = await bridge.status()
    assert status["abnormal"]["backlog"] == 1 and "超时" in status["abnormal"]["last_error"]

    await province.switch("ok")

    async def delivered() -> bool:
        await sender.drain_until_idle()
        return await bridge.outbox_states(record["id"]) == [(1, "sent")]

    await eventually(delivered)
    [held] = province.records(ps_id)
    assert held["_reports"] == 2
