"""A province outage while records keep coming: everything is delivered afterwards, nothing twice, in order
per enterprise; a record extended while the province is down ends as one record with its latest end.

The clock is moved instead of slept: the sender's back-off (2 s doubling, capped at 5 min, jittered) runs
on the injectable clock, so an hour of outage takes a second or two.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import BridgeFactory, Clock, Province, RecordFactory

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 CST


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_an_hour_long_outage_loses_nothing_and_doubles_nothing(
    bridge_factory: BridgeFactory,
    province: Province,
    clock: Clock,
    make_record: RecordFactory,
    make_limit: RecordFactory,
) -> None:
    enterprises = [uuid.uuid4().hex for _ in range(3)]
    settings = {
        "backoff_base_seconds": 2.0,
        "backoff_max_seconds": 300.0,
        "province_timeout_seconds": 0.3,
        "outbox_batch_size": 4,
    }
    async with bridge_factory(province_base_url=province.url, **settings) as bridge:
        sender = bridge.sender()
        order: list[dict[str, Any]] = []  # the records, in the order of their latest version's arrival
        limit = make_limit(enterprises[0])
        await bridge.post_record(limit)
        # 60 minutes: 20 of HTTP 500, 20 of time-outs, 20 of {"success": false}; a record every 5 minutes.
        for step, mode in enumerate(["error500"] * 4 + ["timeout"] * 4 + ["fail"] * 4):
            if province.state.mode != mode:
                await province.switch(mode)
            start = T0 + timedelta(minutes=5 * step)
            record = make_record(enterprises[step % 3], start=utc(start), end=utc(start + timedelta(minutes=20)))
            await bridge.post_record(record)
            order.append(record)
            if step == 6:  # the first record goes on meanwhile: its new version takes its place in the queue
                first = order.pop(0)
                extended = {**first, "version": 2, "end": utc(T0 + timedelta(minutes=50)), "duration_minutes": 50}
                await bridge.post_record(extended)
                order.append(extended)
            assert await sender.drain_until_idle() == 0  # nothing gets through
            clock.advance(minutes=5)

        assert province.state.store.records == []
        status = await bridge.status()
        assert status["abnormal"]["backlog"] == 12 and status["limit"]["backlog"] == 1
        assert status["abnormal"]["consecutive_failures"] == 12  # one try per 5 minutes: the back-off cap
        assert status["abnormal"]["last_success_at"] is None
        assert "success=false" in status["abnormal"]["last_error"]

        await province.switch("ok")
        clock.advance(seconds=301)
        assert await sender.drain_until_idle() == 13
        status = await bridge.status()

    assert status["abnormal"]["backlog"] == 0 and status["abnormal"]["consecutive_failures"] == 0
    assert status["abnormal"]["next_attempt_at"] is None and status["abnormal"]["last_success_at"] is not None
    for ps_id in enterprises:
        expected = [r for r in order if r["ps_id"] == ps_id]
        arrived = province.arrivals(ps_id)
        points = [a["treatmentAmmeterId"] for a in arrived if "treatmentAmmeterId" in a]
        assert points == [r["treatment_point_id"] for r in expected]  # in order, each exactly once
        held = province.records(ps_id, endpoint="abnormal")
        assert len(held) == len(expected) and all(h["_reports"] == 1 for h in held)
    [first_held] = [
        h for h in province.records(enterprises[0]) if h.get("treatmentAmmeterId") == extended["treatment_point_id"]
    ]
    assert (first_held["exTimeStart"], first_held["exTimeEnd"]) == ("2026-03-01 10:00:00", "2026-03-01 10:50:00")
    assert province.records(enterprises[0], endpoint="limit")[0]["productorEquipId"] == limit["production_facility_id"]


async def test_a_record_extended_three_times_while_the_province_is_down_ends_as_one_record(
    bridge_factory: BridgeFactory, province: Province, clock: Clock, make_record: RecordFactory
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id, start=utc(T0), end=utc(T0 + timedelta(minutes=30)))
    async with bridge_factory(province_base_url=province.url, backoff_base_seconds=2.0) as bridge:
        sender = bridge.sender()
        await province.switch("error500")
        await bridge.post_record(record)
        await sender.drain_until_idle()
        for version, minutes in [(2, 45), (3, 60), (4, 75)]:
            clock.advance(minutes=15)
            await bridge.post_record({**record, "version": version, "end": utc(T0 + timedelta(minutes=minutes))})
            await sender.drain_until_idle()
        assert province.state.store.records == []
        assert [r.success for r in province.state.store.requests] == [False] * 4

        await province.switch("ok")
        clock.advance(minutes=15)
        await sender.drain_until_idle()
        [held] = province.records(ps_id)
        assert (held["exTimeStart"], held["exTimeEnd"], held["exDay"]) == (
            "2026-03-01 10:00:00",
            "2026-03-01 11:15:00",
            "2026-03-01",
        )
        assert held["_reports"] == 1  # only the latest version went: the older ones were superseded while waiting
        assert await bridge.outbox_states(record["id"]) == [
            (1, "superseded"),
            (2, "superseded"),
            (3, "superseded"),
            (4, "sent"),
        ]

        # It goes on once the province is back: re-sent with the same start, merged into the same record.
        await bridge.post_record({**record, "version": 5, "end": utc(T0 + timedelta(minutes=90)), "ongoing": False})
        await sender.drain_until_idle()
    [held] = province.records(ps_id)
    assert (held["exTimeStart"], held["exTimeEnd"], held["_reports"]) == (
        "2026-03-01 10:00:00",
        "2026-03-01 11:30:00",
        2,
    )
