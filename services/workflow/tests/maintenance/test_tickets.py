"""运维工单: a device or data finding of the rules opens a ticket assigned to the enterprise's operator (已派单);
the operator starts work (处理中: who, when) and closes it with the maintenance record (已关闭); the rules' later
versions close it (resolved, withdrawn: with the reason) or assign it again; a ticket not closed by its deadline
goes to the city once; two people acting at once cannot both win."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.auth import Role
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app
from fbjd_workflow.config import Settings
from fbjd_workflow.maintenance.tasks import escalate_overdue
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import Desk


def finding(**overrides: Any) -> dict[str, Any]:
    """A terminal-offline finding (数采仪离线) of a fresh enterprise in 沧县, as the rules send it."""
    mn = uuid.uuid4().hex[:24].upper()
    body: dict[str, Any] = {
        "schema": "fbjd.maintenance-finding/v1",
        "id": str(uuid.uuid4()),
        "version": 1,
        "kind": "terminal_offline",
        "severity": "general",
        "ps_id": uuid.uuid4().hex,
        "county": "130921",
        "enterprise_name": "沧州市运维测试陶瓷有限公司",
        "mn": mn,
        "point_id": None,
        "subject": mn,
        "start": (datetime.now(UTC) - timedelta(minutes=20)).isoformat(),
        "end": None,
        "status": "open",
        "message": "数采仪离线：超过3个数据间隔未收到数据",
        "reason": "",
        "detail": {"last_data_at": (datetime.now(UTC) - timedelta(minutes=35)).isoformat()},
    }
    body.update(overrides)
    return body


async def _send(desk: Desk, body: dict[str, Any], expected: int) -> dict[str, Any]:
    reply = await desk.rules.post("/maintenance/findings", json=body)
    assert reply.status_code == expected, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def _ticket(desk: Desk, ticket_id: str, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
    reply = await (client or desk.city).get(f"/maintenance/{ticket_id}")
    assert reply.status_code == 200, reply.text
    ticket: dict[str, Any] = reply.json()
    return ticket


def _enterprise(desk: Desk, body: dict[str, Any], subject: str = "ent-operator-01") -> httpx.AsyncClient:
    return desk.api(Role.ENTERPRISE, subject=subject, enterprise_id=body["ps_id"])


def _steps(ticket: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(e["action"], e["from_status"], e["to_status"]) for e in ticket["events"]]


REPORT = {"text": "数采仪电源适配器损坏，已更换，数据恢复上传", "action": "更换电源适配器", "result": "恢复正常"}


async def test_an_offline_terminal_opens_one_ticket_assigned_to_the_operator_and_a_resend_is_a_duplicate(
    desk: Desk,
) -> None:
    body = finding()
    created = await _send(desk, body, 201)
    assert created["applied"] == "created" and created["status"] == "assigned"
    assert (await _send(desk, body, 200))["applied"] == "duplicate"
    ticket = await _ticket(desk, created["ticket_id"])
    assert ticket["kind_label"] == "数采仪离线" and ticket["mn"] == body["mn"]
    assert ticket["status"] == "assigned" and ticket["status_label"] == "已派单"
    assert ticket["operator_name"] is None, "the rules' finding names no operator: the enterprise passes it on"
    assert ticket["work_started_at"] is None and ticket["work_started_by"] is None
    assert ticket["allowed_actions"] == ["start", "resolve"], "the city may start or resolve"
    assert _steps(ticket) == [("open", None, "assigned")]
    assert "运维单位未登记" in ticket["events"][0]["reason"]
    assert (await _ticket(desk, created["ticket_id"], desk.rules))["allowed_actions"] == [], "the rules only read"
    for status in ("assigned", "open"):
        listed = await desk.city.get("/maintenance", params={"ps_id": body["ps_id"], "status": status})
        assert [t["id"] for t in listed.json()] == [created["ticket_id"]] and listed.headers["x-total-count"] == "1"
    for status in ("in_progress", "closed"):
        assert (await desk.city.get("/maintenance", params={"ps_id": body["ps_id"], "status": status})).json() == []
    unknown = await desk.city.get("/maintenance", params={"status": "pending"})
    assert unknown.status_code == 422


async def test_a_finding_that_names_the_operator_assigns_the_ticket_to_it(desk: Desk) -> None:
    body = finding(operator_name="河北环测科技有限公司", operator_phone="0317-2025555")
    ticket = await _ticket(desk, (await _send(desk, body, 201))["ticket_id"])
    assert ticket["operator_name"] == "河北环测科技有限公司" and ticket["operator_phone"] == "0317-2025555"
    opened = ticket["events"][0]
    assert "派单至第三方运维单位「河北环测科技有限公司」" in opened["reason"]
    assert opened["detail"]["operator_name"] == "河北环测科技有限公司"


async def test_the_operator_starts_work_and_closes_it_with_the_maintenance_record(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    enterprise = _enterprise(desk, body)
    started = await enterprise.post(f"/maintenance/{ticket_id}/start", json={"note": "已安排工程师今日下午到场"})
    assert started.status_code == 200, started.text
    working = started.json()
    assert working["status"] == "in_progress" and working["status_label"] == "处理中"
    assert working["work_started_by"] == "ent-operator-01" and working["work_started_at"] is not None
    assert working["allowed_actions"] == ["resolve"]
    start_event = working["events"][-1]
    assert (start_event["action"], start_event["actor"], start_event["role"]) == (
        "start",
        "ent-operator-01",
        "enterprise",
    )
    assert start_event["action_label"] == "开始处理" and "已安排工程师今日下午到场" in start_event["reason"]
    in_progress = await desk.city.get("/maintenance", params={"ps_id": body["ps_id"], "status": "in_progress"})
    assert [t["id"] for t in in_progress.json()] == [ticket_id]
    assert [
        t["id"] for t in (await desk.city.get("/maintenance", params={"ps_id": body["ps_id"], "status": "open"})).json()
    ] == [ticket_id]

    again = await enterprise.post(f"/maintenance/{ticket_id}/start")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert "「处理中」(in_progress)" in again.json()["error"]["message"]

    closed = await enterprise.post(f"/maintenance/{ticket_id}/resolve", json=REPORT)
    assert closed.status_code == 200, closed.text
    ticket = closed.json()
    assert ticket["status"] == "closed" and ticket["status_label"] == "已关闭" and ticket["close_reason"] == "resolved"
    assert ticket["close_reason_label"] == "运维处理办结" and ticket["allowed_actions"] == []
    record = ticket["resolution"]
    assert (record["problem"], record["action"], record["result"]) == (body["message"], "更换电源适配器", "恢复正常")
    assert record["person"] == "ent-operator-01" and record["mn"] == body["mn"] and record["date"]
    assert record["work_started_by"] == "ent-operator-01"
    assert datetime.fromisoformat(record["work_started_at"]) == datetime.fromisoformat(working["work_started_at"])
    assert _steps(ticket) == [
        ("open", None, "assigned"),
        ("start", "assigned", "in_progress"),
        ("resolve", "in_progress", "closed"),
    ]
    for step, payload in (("start", None), ("resolve", {"text": "再次处理"})):
        refused = await enterprise.post(f"/maintenance/{ticket_id}/{step}", json=payload)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
        assert "已关闭" in refused.json()["error"]["message"] and "运维处理办结" in refused.json()["error"]["message"]
    assert len((await _ticket(desk, ticket_id))["events"]) == 3, "the refusals changed nothing"
    verdict = (await desk.city.get(f"/maintenance/{ticket_id}/history/verify")).json()
    assert verdict["ok"] is True and verdict["checked"] == 3


async def test_the_enterprise_may_resolve_an_assigned_ticket_without_starting_it(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    enterprise = _enterprise(desk, body)
    reply = await enterprise.post(f"/maintenance/{ticket_id}/resolve", json=REPORT)
    assert reply.status_code == 200, reply.text
    ticket = reply.json()
    assert ticket["status"] == "closed" and ticket["close_reason"] == "resolved"
    assert ticket["resolved_by"] == "ent-operator-01" and ticket["resolution"]["work_started_by"] is None
    assert [(e["action"], e["actor"]) for e in ticket["events"]] == [("open", "rules"), ("resolve", "ent-operator-01")]
    assert _steps(ticket)[-1] == ("resolve", "assigned", "closed")


async def test_another_enterprise_or_county_cannot_see_start_or_resolve_the_ticket(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    stranger = desk.api(Role.ENTERPRISE, subject="other", enterprise_id=uuid.uuid4().hex)
    other_county = desk.api(Role.COUNTY, subject="renqiu", county="130982")
    for client in (stranger, other_county):
        assert (await client.get(f"/maintenance/{ticket_id}")).status_code == 404
        assert (await client.post(f"/maintenance/{ticket_id}/start")).status_code == 404
        refused = await client.post(f"/maintenance/{ticket_id}/resolve", json={"text": "不是我的"})
        assert refused.status_code == 404
        assert (await client.get("/maintenance", params={"ps_id": body["ps_id"]})).json() == []
    assert (await desk.rules.post(f"/maintenance/{ticket_id}/start")).status_code == 403, "the rules only read"
    county = desk.api(Role.COUNTY, subject="cangxian", county="130921")
    started = await county.post(f"/maintenance/{ticket_id}/start", json={"note": "县局督促运维单位到场"})
    assert started.status_code == 200 and started.json()["work_started_by"] == "cangxian"
    assert started.json()["events"][-1]["role"] == "county"
    resolved = await county.post(f"/maintenance/{ticket_id}/resolve", json={"text": "县局督促运维单位已处理"})
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "cangxian"
    enforcement = desk.api(Role.ENFORCEMENT, subject="mobile")
    assert (await enforcement.get(f"/maintenance/{ticket_id}")).status_code == 403
    assert (await enforcement.post(f"/maintenance/{ticket_id}/start")).status_code == 403


async def test_five_people_starting_work_at_once_one_starts_it_the_others_get_409(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    people = [_enterprise(desk, body, f"ent-operator-{n}") for n in range(3)]
    people += [desk.city, desk.api(Role.COUNTY, subject="cangxian", county="130921")]
    replies = await asyncio.gather(*(p.post(f"/maintenance/{ticket_id}/start") for p in people))
    assert sorted(r.status_code for r in replies) == [200, 409, 409, 409, 409]
    winner = next(r.json() for r in replies if r.status_code == 200)
    ticket = await _ticket(desk, ticket_id)
    assert [e["action"] for e in ticket["events"]] == ["open", "start"]
    assert ticket["work_started_by"] == winner["work_started_by"] == ticket["events"][-1]["actor"]


async def test_two_records_submitted_at_once_close_the_ticket_once(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    enterprise, county = _enterprise(desk, body), desk.api(Role.COUNTY, subject="cangxian", county="130921")
    replies = await asyncio.gather(
        enterprise.post(f"/maintenance/{ticket_id}/resolve", json=REPORT),
        county.post(f"/maintenance/{ticket_id}/resolve", json={"text": "县局记录：运维单位已处理"}),
    )
    assert sorted(r.status_code for r in replies) == [200, 409]
    ticket = await _ticket(desk, ticket_id)
    assert [e["action"] for e in ticket["events"]] == ["open", "resolve"]
    assert ticket["resolved_by"] == ticket["events"][-1]["actor"] == ticket["resolution"]["person"]


async def test_start_and_resolve_at_once_never_start_a_closed_ticket(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    enterprise = _enterprise(desk, body)
    started, resolved = await asyncio.gather(
        desk.city.post(f"/maintenance/{ticket_id}/start"),
        enterprise.post(f"/maintenance/{ticket_id}/resolve", json=REPORT),
    )
    assert resolved.status_code == 200, resolved.text
    ticket = await _ticket(desk, ticket_id)
    if started.status_code == 200:  # the start came first: both steps, in order
        assert _steps(ticket)[1:] == [("start", "assigned", "in_progress"), ("resolve", "in_progress", "closed")]
    else:  # the record came first: the start met a closed ticket
        assert started.status_code == 409 and _steps(ticket)[1:] == [("resolve", "assigned", "closed")]
    assert ticket["status"] == "closed"


async def test_late_data_withdraws_the_finding_and_the_ticket_closes_with_the_reason(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    withdrawn = {**body, "version": 2, "status": "withdrawn", "reason": "数采仪补传了离线期间的全部数据"}
    assert (await _send(desk, withdrawn, 200))["status"] == "closed"
    assert (await _send(desk, body, 200))["applied"] == "stale"  # version 1 again: changes nothing
    ticket = await _ticket(desk, ticket_id)
    assert ticket["status"] == "closed" and ticket["close_reason"] == "finding_withdrawn"
    assert ticket["close_reason_label"] == "问题已撤销"
    closing = ticket["events"][-1]
    assert closing["action"] == "auto_close" and "数采仪补传了离线期间的全部数据" in closing["reason"]
    assert ticket["finding_version"] == 2


async def test_a_finding_resolved_while_worked_closes_the_ticket_and_a_recurrence_assigns_it_again(desk: Desk) -> None:
    body = finding(kind="power_off", message="被监控设备断电：电压失压，来电后结束")
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    assert (await _enterprise(desk, body).post(f"/maintenance/{ticket_id}/start")).status_code == 200
    end = datetime.now(UTC).isoformat()
    await _send(desk, {**body, "version": 2, "status": "resolved", "end": end, "reason": "来电"}, 200)
    closed = await _ticket(desk, ticket_id)
    assert closed["status"] == "closed" and closed["close_reason"] == "finding_resolved"
    assert _steps(closed)[-1] == ("auto_close", "in_progress", "closed")
    await _send(desk, {**body, "version": 3, "status": "open", "end": None}, 200)
    ticket = await _ticket(desk, ticket_id)
    assert ticket["status"] == "assigned" and ticket["allowed_actions"] == ["start", "resolve"]
    assert ticket["work_started_by"] is None, "a new assignment: the earlier start is in the history"
    assert [e["action"] for e in ticket["events"]] == ["open", "start", "auto_close", "reopen"]
    assert _steps(ticket)[-1] == ("reopen", "closed", "assigned")


async def test_a_ticket_a_person_resolved_stays_closed_when_the_finding_comes_back(desk: Desk) -> None:
    body = finding()
    ticket_id = (await _send(desk, body, 201))["ticket_id"]
    assert (await _enterprise(desk, body).post(f"/maintenance/{ticket_id}/resolve", json=REPORT)).status_code == 200
    await _send(desk, {**body, "version": 2, "status": "resolved", "end": datetime.now(UTC).isoformat()}, 200)
    await _send(desk, {**body, "version": 3, "status": "open", "end": None}, 200)
    ticket = await _ticket(desk, ticket_id)
    assert ticket["status"] == "closed" and ticket["close_reason"] == "resolved"
    assert [e["action"] for e in ticket["events"]] == ["open", "resolve", "finding_changed", "finding_changed"]


async def test_a_finding_resolved_before_it_arrived_opens_a_closed_ticket(desk: Desk) -> None:
    body = finding(
        kind="value_stuck", status="resolved", end=datetime.now(UTC).isoformat(), message="测点数值长时间固定不变"
    )
    result = await _send(desk, body, 201)
    assert result["status"] == "closed"
    ticket = await _ticket(desk, result["ticket_id"])
    assert _steps(ticket) == [("open", None, "assigned"), ("auto_close", "assigned", "closed")]


async def test_assigned_and_in_progress_tickets_past_their_deadline_go_to_the_city_once(
    desk: Desk, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    untouched, worked, answered = finding(), finding(), finding()
    untouched_id = (await _send(desk, untouched, 201))["ticket_id"]
    worked_id = (await _send(desk, worked, 201))["ticket_id"]
    answered_id = (await _send(desk, answered, 201))["ticket_id"]
    assert (await _enterprise(desk, worked).post(f"/maintenance/{worked_id}/start")).status_code == 200
    assert (
        await _enterprise(desk, answered).post(f"/maintenance/{answered_id}/resolve", json=REPORT)
    ).status_code == 200
    with desk.later(hours=71):
        await escalate_overdue(sessionmaker)
    assert (await _ticket(desk, untouched_id))["escalated_at"] is None
    assert (await _ticket(desk, worked_id))["escalated_at"] is None
    with desk.later(hours=73):
        await escalate_overdue(sessionmaker)
        await escalate_overdue(sessionmaker)  # a second poll (or process) finds nothing to do
        tickets = {i: await _ticket(desk, i) for i in (untouched_id, worked_id, answered_id)}
    for ticket_id, status in ((untouched_id, "assigned"), (worked_id, "in_progress")):
        ticket = tickets[ticket_id]
        assert ticket["escalated_at"] is not None and ticket["status"] == status and ticket["overdue"] is True
        escalations = [e for e in ticket["events"] if e["action"] == "escalate"]
        assert len(escalations) == 1 and "72 小时" in escalations[0]["reason"]
        assert escalations[0]["actor"] == "system"
        assert (escalations[0]["from_status"], escalations[0]["to_status"]) == (status, status)
    worked_escalation = tickets[worked_id]["events"][-1]["reason"]
    assert "仍未办结" in worked_escalation and "ent-operator-01" in worked_escalation
    assert "未处理" in tickets[untouched_id]["events"][-1]["reason"]
    assert [e["action"] for e in tickets[answered_id]["events"]] == ["open", "resolve"]
    for ps_id, ticket_id in ((untouched["ps_id"], untouched_id), (worked["ps_id"], worked_id)):
        city_list = await desk.city.get("/maintenance", params={"ps_id": ps_id, "escalated": "true"})
        assert [t["id"] for t in city_list.json()] == [ticket_id]
    late = await _enterprise(desk, worked).post(f"/maintenance/{worked_id}/resolve", json=REPORT)
    assert late.status_code == 200 and late.json()["escalated_at"] is not None, "resolved late: the escalation stays"


async def test_a_city_that_allows_2_hours_escalates_after_2_hours(
    desk: Desk,
    settings_factory: Callable[..., Settings],
    sessionmaker: async_sessionmaker[AsyncSession],
    make_token: Callable[..., str],
) -> None:
    short = settings_factory(maintenance_deadline_hours=2)
    body = finding()
    async with serve(create_app(short)) as url:
        headers = {"Authorization": f"Bearer {make_token(Role.SERVICE, subject='rules')}"}
        async with httpx.AsyncClient(base_url=f"{url}/api/workflow", headers=headers) as rules:
            reply = await rules.post("/maintenance/findings", json=body)
    assert reply.status_code == 201, reply.text
    ticket_id = reply.json()["ticket_id"]
    ticket = await _ticket(desk, ticket_id)
    opened, deadline = datetime.fromisoformat(ticket["opened_at"]), datetime.fromisoformat(ticket["deadline_at"])
    assert deadline - opened == timedelta(hours=2)
    with desk.later(hours=3):
        await escalate_overdue(sessionmaker)
    escalated = (await _ticket(desk, ticket_id))["events"][-1]
    assert escalated["action"] == "escalate" and "超过 2 小时未处理" in escalated["reason"]


async def test_only_the_service_role_may_send_findings(desk: Desk) -> None:
    body = finding()
    enterprise = desk.api(Role.ENTERPRISE, subject="ent", enterprise_id=body["ps_id"])
    assert (await enterprise.post("/maintenance/findings", json=body)).status_code == 403
    assert (await desk.city.post("/maintenance/findings", json=body)).status_code == 403
