"""批量审核: one opinion for many alarms, each reviewed on its own; those the single review would refuse are
refused alike (409 for a stage that cannot be reviewed, 404 outside the scope) and the others still go through."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_three_escalated_alarms_approved_at_once_one_not_yet_escalated_is_refused(desk: Desk) -> None:
    escalated = [await desk.raise_alarm() for _ in range(3)]
    for record in escalated:
        await desk.escalate(record)
    waiting = await desk.raise_alarm()  # still in the enterprise's self-check
    unknown = str(uuid.uuid4())
    ids = [r["id"] for r in escalated] + [waiting["id"], unknown, escalated[0]["id"]]
    reply = await desk.city.post(
        "/alarms/review", json={"alarm_ids": ids, "decision": "approve", "opinion": "企业已提供检修记录，同意办结"}
    )
    assert reply.status_code == 200, reply.text
    results = {r["alarm_id"]: r for r in reply.json()["results"]}
    assert len(reply.json()["results"]) == 5  # the repeated id is reviewed once
    for record in escalated:
        assert results[record["id"]] == {
            "alarm_id": record["id"],
            "ok": True,
            "stage": "approved",
            "error": None,
            "code": None,
        }
        alarm = await desk.read(record["id"])
        assert alarm["stage"] == "approved" and alarm["review_opinion"] == "企业已提供检修记录，同意办结"
    refused = results[waiting["id"]]
    assert refused["ok"] is False and refused["stage"] is None and refused["code"] == "invalid_transition"
    assert "企业自查" in refused["error"]
    assert results[unknown]["code"] == "not_found"
    assert (await desk.read(waiting["id"]))["stage"] == "enterprise_check"


async def test_a_bulk_rejection_pushes_each_alarm_and_dispatches_a_task_for_each(desk: Desk) -> None:
    records = [await desk.raise_alarm() for _ in range(2)]
    for record in records:
        await desk.escalate(record)
    reply = await desk.city.post(
        "/alarms/review",
        json={"alarm_ids": [r["id"] for r in records], "decision": "reject", "opinion": "未提供证明材料，转执法核查"},
    )
    assert [r["stage"] for r in reply.json()["results"]] == ["enforcement", "enforcement"]
    for record in records:
        alarm = await desk.read(record["id"])
        assert alarm["task"] is not None and alarm["province_push"] is not None


async def test_a_county_reviewer_cannot_bulk_review_another_countys_alarm(desk: Desk) -> None:
    here, there = await desk.raise_alarm(county="130921"), await desk.raise_alarm(county="130982")
    await desk.escalate(here)
    await desk.escalate(there)
    county = desk.api(Role.COUNTY, subject="cangxian-branch", county="130921")
    reply = await county.post(
        "/alarms/review", json={"alarm_ids": [here["id"], there["id"]], "decision": "approve", "opinion": "同意"}
    )
    ok, refused = reply.json()["results"]
    assert ok["ok"] is True and refused["ok"] is False and refused["code"] == "not_found"
    assert (await desk.read(there["id"]))["stage"] == "city_review"


async def test_more_than_200_ids_or_an_enterprise_caller_is_refused(desk: Desk) -> None:
    many = [str(uuid.uuid4()) for _ in range(201)]
    too_many = await desk.city.post(
        "/alarms/review", json={"alarm_ids": many, "decision": "approve", "opinion": "同意"}
    )
    assert too_many.status_code == 422
    record = await desk.raise_alarm()
    forbidden = await desk.enterprise(record).post(
        "/alarms/review", json={"alarm_ids": [record["id"]], "decision": "approve", "opinion": "自己批"}
    )
    assert forbidden.status_code == 403
