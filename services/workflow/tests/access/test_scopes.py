"""Scopes enforced by the service itself: an enterprise sees and acts only on its own alarms, a county only
on its county's; outside the scope an alarm is answered like one that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_an_enterprise_cannot_read_or_act_on_another_enterprises_alarm(desk: Desk) -> None:
    mine, theirs = await desk.raise_alarm(), await desk.raise_alarm()
    me = desk.enterprise(mine)
    for reply in (
        await me.get(f"/alarms/{theirs['id']}"),
        await me.post(f"/alarms/{theirs['id']}/handle", json={"reason": "other", "text": "不是我的报警"}),
        await me.get("/alarms/open-count", params={"ps_id": theirs["ps_id"]}),
    ):
        assert reply.status_code in (200, 404)
        if reply.status_code == 200:  # the count answers for the caller's own enterprise, whatever is asked
            assert reply.json()["ps_id"] == mine["ps_id"]
        else:
            assert "不在您的管辖范围内" in reply.json()["error"]["message"]
    unknown = await me.get(f"/alarms/{desk.record()['id']}")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    listed = await me.get("/alarms", params={"ps_id": theirs["ps_id"]})
    assert listed.json() == []
    assert [a["id"] for a in (await me.get("/alarms")).json()] == [mine["id"]]
    assert (await desk.read(theirs["id"]))["stage"] == "enterprise_check"  # untouched
    assert (
        await me.post(f"/alarms/{mine['id']}/review", json={"decision": "approve", "opinion": "自己批"})
    ).status_code == 403


async def test_a_county_sees_and_reviews_only_its_county(desk: Desk) -> None:
    here, there = await desk.raise_alarm(county="130921"), await desk.raise_alarm(county="130982")
    county = desk.api(Role.COUNTY, subject="cangxian-branch", county="130921")
    await desk.escalate(here)
    await desk.escalate(there)
    assert (await county.get(f"/alarms/{there['id']}")).status_code == 404
    refused = await county.post(f"/alarms/{there['id']}/review", json={"decision": "approve", "opinion": "同意"})
    assert refused.status_code == 404
    listed = {a["county"] for a in (await county.get("/alarms", params={"stage": "city_review"})).json()}
    assert listed == {"130921"}
    assert (await county.get("/alarms", params={"county": "130982"})).json() == []
    ok = await county.post(f"/alarms/{here['id']}/review", json={"decision": "approve", "opinion": "县局核实同意"})
    assert ok.status_code == 200 and ok.json()["events"][-1]["role"] == "county"


async def test_the_city_queue_shows_what_needs_review_oldest_first(desk: Desk) -> None:
    industry = f"测试行业{datetime.now(UTC).timestamp()}"
    first = await desk.raise_alarm(industry=industry)
    second = await desk.raise_alarm(industry=industry)
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()
    queue = await desk.city.get("/alarms", params={"stage": "city_review", "industry": industry})
    assert [a["id"] for a in queue.json()] == [first["id"], second["id"]]
    newest = await desk.city.get("/alarms", params={"status": "open", "industry": industry})
    assert [a["id"] for a in newest.json()] == [second["id"], first["id"]]
    graded = await desk.city.get("/alarms", params={"industry": industry, "grade": "grave"})
    assert graded.json() == []


async def test_the_enterprise_sees_its_open_alarms_with_the_time_left(desk: Desk) -> None:
    record = await desk.raise_alarm()
    await desk.post(desk.record(ps_id=record["ps_id"]))
    me = desk.enterprise(record)
    with desk.later(minutes=10):
        count = (await me.get("/alarms/open-count")).json()
        queue = (await me.get("/alarms", params={"status": "open"})).json()
    assert count["open"] == 2 and count["awaiting_self_check"] == 2
    assert 19 * 60 <= count["seconds_left"] <= 20 * 60 + 5
    assert all(19 * 60 <= a["seconds_left"] <= 20 * 60 + 5 for a in queue)


async def test_no_token_is_401(desk: Desk) -> None:
    async with httpx.AsyncClient(base_url=f"{desk.workflow.url}/api/workflow") as anonymous:
        assert (await anonymous.get("/alarms")).status_code == 401
        assert (await anonymous.get("/tasks")).status_code == 401


async def test_an_enterprise_declares_only_for_itself(desk: Desk) -> None:
    mine, theirs = await desk.raise_alarm(), await desk.raise_alarm()
    window = {
        "ps_id": theirs["ps_id"],
        "facility_id": "tf-desulf-1",
        "starts_at": datetime.now(UTC).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "reason": "overhaul",
        "text": "检修",
    }
    assert (await desk.enterprise(mine).post("/declarations/before", json=window)).status_code == 403
