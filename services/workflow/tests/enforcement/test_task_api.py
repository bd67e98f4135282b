"""The task API for the mobile enforcement system (a machine client) and its signed push webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fbjd_core.auth import Role
from fbjd_workflow.errors import SignatureRejected
from fbjd_workflow.signing import ReplayGuard, sign, signed_headers, verify

if TYPE_CHECKING:
    from conftest import Desk, Outside

SECRET = "mobile-enforcement-shared-secret"
INSPECTION: dict[str, Any] = {
    "schema": "fbjd.inspection/v1",
    "officer_name": "王执法",
    "officer_id": "HB-CZ-0213",
    "inspected_at": "2026-11-25T14:30:00+08:00",
    "findings": "治理设施已恢复运行，企业已整改",
    "conclusion": "rectified_on_site",
}


async def _task_for(desk: Desk, **record: Any) -> tuple[dict[str, Any], str]:
    alarm_record = await desk.raise_alarm(**record)
    await desk.escalate(alarm_record)
    rejected = await desk.review(alarm_record, "reject", "转执法核查")
    return alarm_record, rejected["task"]["id"]


async def test_the_machine_client_polls_new_tasks_since_its_last_look(desk: Desk) -> None:
    client = desk.api(Role.ENFORCEMENT, subject="hebei-mobile-enforcement")
    before = datetime.now(UTC) - timedelta(seconds=1)
    _, task_id = await _task_for(desk)
    listed = await client.get("/tasks", params={"status": "new", "since": before.isoformat()})
    assert listed.status_code == 200
    summary = next(t for t in listed.json() if t["id"] == task_id)
    assert summary["schema"] == "fbjd.task/v1" and summary["status"] == "new"
    accepted = await client.post(f"/tasks/{task_id}/accept")
    later = await client.get("/tasks", params={"since": summary["updated_at"]})
    assert task_id in [t["id"] for t in later.json()]  # changed since: accepted
    again = await client.get("/tasks", params={"since": accepted.json()["updated_at"]})
    assert task_id not in [t["id"] for t in again.json()]
    assert (await client.post(f"/tasks/{task_id}/accept")).status_code == 200  # idempotent for the same client


async def test_a_task_is_not_found_by_a_client_bound_to_another_county(desk: Desk) -> None:
    _, task_id = await _task_for(desk, county="130921")
    other = desk.api(Role.ENFORCEMENT, subject="renqiu-enforcement", county="130982")
    own = desk.api(Role.ENFORCEMENT, subject="cangxian-enforcement", county="130921")
    assert (await other.get(f"/tasks/{task_id}")).status_code == 404
    assert task_id not in [t["id"] for t in (await other.get("/tasks")).json()]
    assert (await other.post(f"/tasks/{task_id}/accept")).status_code == 404
    assert (await own.get(f"/tasks/{task_id}")).status_code == 200


async def test_an_enterprise_cannot_reach_the_task_api(desk: Desk) -> None:
    record, task_id = await _task_for(desk)
    enterprise = desk.enterprise(record)
    assert (await enterprise.get(f"/tasks/{task_id}")).status_code == 403
    assert (await enterprise.post(f"/tasks/{task_id}/inspection", json=INSPECTION)).status_code == 403


async def test_a_task_accepted_by_one_client_cannot_be_closed_by_another(desk: Desk) -> None:
    record, task_id = await _task_for(desk)
    first = desk.api(Role.ENFORCEMENT, subject="client-a")
    second = desk.api(Role.ENFORCEMENT, subject="client-b")
    not_yet = await first.post(f"/tasks/{task_id}/inspection", json=INSPECTION)
    assert not_yet.status_code == 409  # accept first
    assert (await first.post(f"/tasks/{task_id}/accept")).status_code == 200
    assert (await second.post(f"/tasks/{task_id}/accept")).status_code == 403
    stolen = await second.post(f"/tasks/{task_id}/inspection", json=INSPECTION)
    assert stolen.status_code == 403 and "client-a" in stolen.json()["error"]["message"]
    done = await first.post(f"/tasks/{task_id}/inspection", json=INSPECTION)
    assert done.status_code == 201
    assert (await desk.read(record["id"]))["stage"] == "inspected"
    twice = await first.post(f"/tasks/{task_id}/inspection", json=INSPECTION)
    assert twice.status_code == 409


async def test_the_webhook_is_signed_and_retried_until_acknowledged(desk: Desk, outside: Outside) -> None:
    record, task_id = await _task_for(desk)
    outside.webhook_failures[record["id"]] = 1
    await desk.workflow.deliver()  # the receiver answers 500 once
    assert outside.tasks_pushed(record["id"]) == []
    await desk.workflow.deliver()  # not due yet: back-off
    assert outside.tasks_pushed(record["id"]) == []
    with desk.later(seconds=11):
        await desk.workflow.deliver()
    [pushed] = outside.tasks_pushed(record["id"])
    assert pushed["body"]["task"]["id"] == task_id
    assert pushed["headers"]["x-fbjd-signature"].startswith("sha256=")
    with desk.later(minutes=5):
        await desk.workflow.deliver()
    assert len(outside.tasks_pushed(record["id"])) == 1  # acknowledged once, never sent again


def test_a_bad_signature_is_refused() -> None:
    body = json.dumps({"event": "task.created", "task": {"id": "t-1"}}).encode()
    headers = signed_headers(SECRET, body=body, delivery_id="d-1", event="task.created")
    timestamp, signature = headers["X-Fbjd-Timestamp"], headers["X-Fbjd-Signature"]
    verify(SECRET, timestamp=timestamp, signature=signature, body=body)  # the genuine one passes
    with pytest.raises(SignatureRejected, match="签名不正确"):
        verify(SECRET, timestamp=timestamp, signature=signature, body=body.replace(b"t-1", b"t-2"))
    with pytest.raises(SignatureRejected, match="签名不正确"):
        verify("another-secret", timestamp=timestamp, signature=signature, body=body)
    with pytest.raises(SignatureRejected):
        verify(SECRET, timestamp=timestamp, signature=None, body=body)


def test_a_replayed_webhook_is_refused() -> None:
    body = b'{"event":"task.created"}'
    old = datetime.now(UTC) - timedelta(minutes=10)
    stale = str(int(old.timestamp()))
    with pytest.raises(SignatureRejected, match="疑似重放"):
        verify(SECRET, timestamp=stale, signature=sign(SECRET, timestamp=stale, body=body), body=body)
    headers = signed_headers(SECRET, body=body, delivery_id="d-1", event="task.created")
    timestamp, signature = headers["X-Fbjd-Timestamp"], headers["X-Fbjd-Signature"]
    guard = ReplayGuard()
    verify(SECRET, timestamp=timestamp, signature=signature, body=body)
    guard.check(signature)
    verify(SECRET, timestamp=timestamp, signature=signature, body=body)  # still fresh: only the guard can tell
    with pytest.raises(SignatureRejected, match="重放"):
        guard.check(signature)  # the same captured request a second time


def test_the_task_and_inspection_schemas_are_versioned_and_documented_with_examples(desk: Desk) -> None:
    spec = desk.workflow.app.openapi()
    schemas = spec["components"]["schemas"]
    for name, version in (("TaskDocument", "fbjd.task/v1"), ("InspectionIn", "fbjd.inspection/v1")):
        assert schemas[name]["properties"]["schema"]["const"] == version
        assert schemas[name]["examples"][0]["schema"] == version
    paths = spec["paths"]
    for path in (
        "/api/workflow/tasks",
        "/api/workflow/tasks/{task_id}",
        "/api/workflow/tasks/{task_id}/accept",
        "/api/workflow/tasks/{task_id}/inspection",
    ):
        assert path in paths
    assert "X-Fbjd-Signature" in spec["info"]["description"]
