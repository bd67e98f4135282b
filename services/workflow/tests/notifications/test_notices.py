"""The enterprise is told at once of a new alarm and of the time left, through the notification channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from fbjd_workflow.errors import DeliveryFailed
from fbjd_workflow.notifications.channels import Notice, WebhookChannel

if TYPE_CHECKING:
    from conftest import Desk, Outside


async def test_the_enterprise_is_told_of_a_new_alarm_the_time_left_and_the_escalation(
    desk: Desk, outside: Outside
) -> None:
    record = await desk.raise_alarm()
    await desk.workflow.deliver(channels=["notice"])
    [new] = outside.notices_of(record["ps_id"])
    assert new["schema"] == "fbjd.notice/v1" and new["kind"] == "alarm.new"
    assert "1#烧成窑治理设施异常" in new["text"] and new["data"]["alarm_id"] == record["id"]
    with desk.later(minutes=21):  # ten minutes before the window closes
        await desk.workflow.fire_timers()
        await desk.workflow.deliver(channels=["notice"])
    kinds = [n["kind"] for n in outside.notices_of(record["ps_id"])]
    assert kinds == ["alarm.new", "alarm.time_left"]
    assert "剩余 9 分钟" in outside.notices_of(record["ps_id"])[1]["text"]
    await desk.escalate(record)
    with desk.later(minutes=32):
        await desk.workflow.deliver(channels=["notice"])
    assert [n["kind"] for n in outside.notices_of(record["ps_id"])][-1] == "alarm.escalated"


async def test_a_channel_that_does_not_answer_fails_the_delivery_for_a_retry() -> None:
    notice = Notice(id="n-1", kind="alarm.new", ps_id="0" * 32, title="新报警", text="请处理", data={})
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _request: httpx.Response(502))) as client:
        with pytest.raises(DeliveryFailed, match="502"):
            await WebhookChannel("http://sms-gateway.invalid/notify", client=client).send(notice)
