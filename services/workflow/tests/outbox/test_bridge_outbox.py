"""The push to the province goes through the outbox: written with the decision, sent until the bridge
acknowledges, nothing lost while it is down, never sent as two records."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
from fbjd_infra.postgres import free_port
from fbjd_workflow.config import Settings
from fbjd_workflow.outbox import repository as outbox_repository
from fbjd_workflow.outbox.tasks import deliver_due
from fbjd_workflow.outbox.transports import transports_for

if TYPE_CHECKING:
    from conftest import Desk, Outside


async def _rejected(desk: Desk) -> dict[str, object]:
    record = await desk.raise_alarm()
    await desk.escalate(record)
    await desk.review(record, "reject", "无正当理由")
    return record


async def test_the_push_waits_while_the_province_is_down_and_is_sent_once_it_answers(
    desk: Desk, outside: Outside
) -> None:
    record = await _rejected(desk)
    alarm_id = str(record["id"])
    outside.bridge_failures[alarm_id] = 2
    await desk.workflow.deliver()  # 503
    with desk.later(seconds=11):
        await desk.workflow.deliver()  # 503 again; the next try waits twice as long
    with desk.later(seconds=25):
        await desk.workflow.deliver()
    assert outside.bridge_payloads(alarm_id) == []
    alarm = await desk.read(alarm_id)
    assert alarm["province_push"]["attempts"] == 2 and "503" in alarm["province_push"]["last_error"]
    with desk.later(seconds=32):
        await desk.workflow.deliver()
    assert len(outside.bridge_payloads(alarm_id)) == 1
    with desk.later(hours=2):
        await desk.workflow.deliver()
    assert len(outside.bridge_payloads(alarm_id)) == 1
    alarm = await desk.read(alarm_id)
    assert alarm["province_push"]["delivered_at"] is not None and alarm["province_push"]["attempts"] == 3


async def test_an_unreachable_bridge_loses_nothing(desk: Desk, settings_factory: Callable[..., Settings]) -> None:
    record = await _rejected(desk)
    nowhere = settings_factory(bridge_url=f"http://127.0.0.1:{free_port()}")
    async with httpx.AsyncClient(timeout=2) as client:
        transports = {"bridge": transports_for(nowhere, client)["bridge"]}
        report = await deliver_due(desk.workflow.sessionmaker, nowhere, transports)
    assert report.failed >= 1
    async with desk.workflow.sessionmaker() as session:
        [message] = await outbox_repository.of_alarm(session, uuid.UUID(str(record["id"])), channel="bridge")
    assert message.delivered_at is None and message.attempts == 1
    assert "不可达" in (message.last_error or "")
    assert message.payload["disposition"]["decision"] == "reject"
