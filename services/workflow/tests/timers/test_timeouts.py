"""The other timers of the process: the city's review reminder, the task deadline, and a timer whose effect
fails (kept, retried later, never lost)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from fbjd_core.auth import Role
from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.config import Settings
from fbjd_workflow.errors import WorkflowError
from fbjd_workflow.process import timeouts
from fbjd_workflow.timers import repository as timers_repository
from fbjd_workflow.timers.tasks import RETRY_AFTER
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from conftest import Desk, Outside


async def test_an_alarm_waiting_for_the_city_gets_a_reminder_once(desk: Desk) -> None:
    record = await desk.raise_alarm()
    await desk.escalate(record)
    with desk.later(hours=25):
        await desk.workflow.fire_timers()
        await desk.workflow.fire_timers()
    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open", "escalate", "review_reminder"]
    assert alarm["stage"] == "city_review" and "24 小时" in alarm["events"][-1]["reason"]


async def test_an_enforcement_task_past_its_deadline_is_marked_overdue(desk: Desk) -> None:
    record = await desk.raise_alarm()
    await desk.escalate(record)
    task_id = (await desk.review(record, "reject"))["task"]["id"]
    with desk.later(hours=73):
        await desk.workflow.fire_timers()
    officer = desk.api(Role.ENFORCEMENT, subject="overdue-check")
    assert (await officer.get(f"/tasks/{task_id}")).json()["overdue"] is True
    assert desk.actions(await desk.read(record["id"]))[-1] == "task_overdue"


async def test_withdrawing_a_record_in_enforcement_cancels_the_task_and_tells_the_client(
    desk: Desk, outside: Outside
) -> None:
    record = await desk.raise_alarm()
    await desk.escalate(record)
    task_id = (await desk.review(record, "reject"))["task"]["id"]
    await desk.post({**record, "version": 2, "status": "withdrawn"}, expected=200)
    officer = desk.api(Role.ENFORCEMENT, subject="withdrawal-check")
    assert (await officer.get(f"/tasks/{task_id}")).json()["status"] == "cancelled"
    await desk.workflow.deliver(channels=["enforcement"])
    events = [m["body"]["event"] for m in outside.webhook_received if m["body"].get("alarm_id") == record["id"]]
    assert events == ["task.cancelled"]
    assert (await desk.read(record["id"]))["stage"] == "withdrawn"


async def test_a_timer_whose_effect_fails_is_kept_and_tried_again_later(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = await desk.raise_alarm()

    async def broken(_session: AsyncSession, _alarm: Alarm, _settings: Settings, _at: datetime) -> str:
        raise WorkflowError("registry of reasons unavailable")

    monkeypatch.setitem(timeouts.HANDLERS, "self_check_deadline", broken)
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()
    async with desk.workflow.sessionmaker() as session:
        [deadline] = [
            t
            for t in await timers_repository.of_alarm(session, uuid.UUID(record["id"]))
            if t.kind == "self_check_deadline"
        ]
    assert deadline.fired_at is None and deadline.attempts == 1
    assert "registry of reasons unavailable" in (deadline.last_error or "")
    assert (await desk.read(record["id"]))["stage"] == "enterprise_check"  # the failed effect left nothing

    monkeypatch.undo()
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()  # postponed by RETRY_AFTER: not due yet
    assert (await desk.read(record["id"]))["stage"] == "enterprise_check"
    with desk.later(minutes=31, seconds=RETRY_AFTER.total_seconds() + 5):
        await desk.workflow.fire_timers()
    assert desk.actions(await desk.read(record["id"])) == ["open", "escalate"]
