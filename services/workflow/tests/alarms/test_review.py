"""Two reviewers acting at once cannot both win: the alarm row is locked, the second meets a decided alarm."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_two_reviewers_at_once_one_decides_the_other_gets_409(desk: Desk) -> None:
    record = await desk.raise_alarm()
    await desk.escalate(record)
    first, second = desk.api(Role.CITY, subject="reviewer-a"), desk.api(Role.CITY, subject="reviewer-b")
    replies = await asyncio.gather(
        first.post(f"/alarms/{record['id']}/review", json={"decision": "approve", "opinion": "同意办结"}),
        second.post(f"/alarms/{record['id']}/review", json={"decision": "reject", "opinion": "转执法核查"}),
    )
    assert sorted(r.status_code for r in replies) == [200, 409]
    loser = next(r for r in replies if r.status_code == 409)
    assert loser.json()["error"]["code"] == "invalid_transition"
    alarm = await desk.read(record["id"])
    decisions = [e for e in alarm["events"] if e["action"] in ("approve", "reject")]
    assert len(decisions) == 1
    if decisions[0]["action"] == "approve":
        assert alarm["stage"] == "approved" and alarm["task"] is None and alarm["province_push"] is None
    else:
        assert alarm["stage"] == "enforcement" and alarm["task"] is not None


async def test_a_reviewer_who_saw_an_older_revision_gets_409(desk: Desk) -> None:
    record = await desk.raise_alarm()
    seen = (await desk.read(record["id"]))["revision"]
    escalated = await desk.escalate(record)
    reply = await desk.city.post(
        f"/alarms/{record['id']}/review",
        json={"decision": "approve", "opinion": "同意", "expected_revision": seen},
    )
    assert reply.status_code == 409 and reply.json()["error"]["code"] == "stale_revision"
    ok = await desk.city.post(
        f"/alarms/{record['id']}/review",
        json={"decision": "approve", "opinion": "同意", "expected_revision": escalated["revision"]},
    )
    assert ok.status_code == 200
