"""Records from the rules: idempotent by (id, version); only the service role may push them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_the_same_record_twice_makes_one_alarm(desk: Desk) -> None:
    record = desk.record()
    first = await desk.post(record, expected=201)
    again = await desk.post(record, expected=200)
    assert first["applied"] == "created" and again["applied"] == "duplicate"
    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open"]
    listed = await desk.city.get("/alarms", params={"ps_id": record["ps_id"]})
    assert [a["id"] for a in listed.json()] == [record["id"]]


async def test_the_same_new_record_delivered_twice_at_once_makes_one_alarm(desk: Desk) -> None:
    record = desk.record()
    replies = await asyncio.gather(*(desk.rules.post("/abnormals", json=record) for _ in range(2)))
    assert sorted(r.status_code for r in replies) == [200, 201]
    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open"]


async def test_a_lower_version_is_ignored_and_a_higher_one_updates_the_record(desk: Desk) -> None:
    record = desk.record(version=3)
    await desk.post(record)
    stale = await desk.post({**record, "version": 2, "grade": "grave"}, expected=200)
    assert stale["applied"] == "stale" and stale["version"] == 3
    end = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    newer = await desk.post(
        {**record, "version": 4, "end": end.isoformat(), "duration_minutes": 25, "grade": "serious"}, 200
    )
    assert newer["applied"] == "updated" and newer["stage"] == "enterprise_check"
    alarm = await desk.read(record["id"])
    assert alarm["version"] == 4 and alarm["grade"] == "serious" and alarm["duration_minutes"] == 25
    assert datetime.fromisoformat(alarm["end"]) == end and alarm["record"]["version"] == 4


async def test_only_the_rules_service_may_push_records(desk: Desk) -> None:
    record = desk.record()
    for role in (Role.ENTERPRISE, Role.CITY, Role.ENFORCEMENT):
        reply = await desk.api(role, enterprise_id=record["ps_id"]).post("/abnormals", json=record)
        assert reply.status_code == 403, role
    bad = await desk.rules.post("/abnormals", json={**record, "type": "something_else"})
    assert bad.status_code == 422


async def test_records_arriving_in_parallel_for_many_enterprises_each_open_one_alarm(desk: Desk) -> None:
    records = [desk.record() for _ in range(8)]
    replies = await asyncio.gather(*(desk.rules.post("/abnormals", json=r) for r in records))
    assert [r.status_code for r in replies] == [201] * 8


async def test_a_county_platforms_record_is_an_alarm_that_says_where_it_came_from(desk: Desk) -> None:
    county_record = {**desk.record(), "source": "county", "reported_by": "county:cangxian-platform"}
    await desk.post(county_record, expected=201)
    alarm = await desk.read(county_record["id"])
    assert alarm["source"] == "county" and alarm["record"]["source"] == "county"
    assert alarm["record"]["reported_by"] == "county:cangxian-platform"
    rules_record = desk.record()
    await desk.post(rules_record, expected=201)
    assert (await desk.read(rules_record["id"]))["source"] == "rules"
    bad = await desk.rules.post("/abnormals", json={**desk.record(), "source": "province"})
    assert bad.status_code == 422
