"""Timers live in the database: a timer that came due while the service was down fires once after the
restart, and two processes polling at once never escalate twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
from fbjd_core.auth import Role
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app
from fbjd_workflow.config import Settings
from fbjd_workflow.timers import repository as timers_repository
from fbjd_workflow.timers.tasks import process_due_timers

if TYPE_CHECKING:
    from conftest import Desk


async def _stage_when_settled(client: httpx.AsyncClient, alarm_id: str, wanted: str, seconds: float = 5.0) -> str:
    stage = ""
    for _ in range(int(seconds / 0.05)):
        stage = str((await client.get(f"/alarms/{alarm_id}")).json()["stage"])
        if stage == wanted:
            return stage
        await asyncio.sleep(0.05)
    return stage


async def test_a_timer_due_while_the_service_was_down_fires_once_after_restart(
    desk: Desk, settings_factory: Callable[..., Settings], make_token: Callable[..., str]
) -> None:
    settings = settings_factory(scheduler_enabled=True, timer_poll_seconds=0.1, outbox_poll_seconds=60)
    headers = {"Authorization": f"Bearer {make_token(Role.SERVICE)}"}
    record = desk.record()
    async with serve(create_app(settings)) as url:  # the first process takes the record, then stops
        async with httpx.AsyncClient(base_url=f"{url}/api/workflow", headers=headers) as client:
            assert (await client.post("/abnormals", json=record)).status_code == 201
            assert (await client.get(f"/alarms/{record['id']}")).json()["stage"] == "enterprise_check"

    with desk.later(minutes=31):  # down past the 30-minute window; two processes start again
        async with serve(create_app(settings)) as url, serve(create_app(settings)):
            async with httpx.AsyncClient(base_url=f"{url}/api/workflow", headers=headers) as client:
                assert await _stage_when_settled(client, record["id"], "city_review") == "city_review"
                await asyncio.sleep(0.3)  # several more polls by both processes
        async with serve(create_app(settings)):  # and once more
            await asyncio.sleep(0.3)
        assert await process_due_timers(desk.workflow.sessionmaker, settings) >= 0

    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open", "escalate"]
    async with desk.workflow.sessionmaker() as session:
        timers = await timers_repository.of_alarm(session, uuid.UUID(alarm["id"]))
    deadline = next(t for t in timers if t.kind == "self_check_deadline")
    assert deadline.fired_at is not None and deadline.attempts == 1
    assert deadline.outcome == "escalated to city_review"


async def test_two_pollers_at_once_escalate_an_alarm_once(desk: Desk) -> None:
    records = [await desk.raise_alarm() for _ in range(3)]
    with desk.later(minutes=31):
        await asyncio.gather(*(desk.workflow.fire_timers() for _ in range(3)))
    for record in records:
        alarm = await desk.read(record["id"])
        assert desk.actions(alarm) == ["open", "escalate"]
