"""The whole path of each branch of 异常报警处置流程, through the real API on the real database."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from fbjd_core.auth import Role
from fbjd_workflow.timers import repository as timers_repository
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from conftest import Desk, Outside


async def test_handled_within_thirty_minutes_closes_at_the_enterprise_level(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    with desk.later(minutes=12):
        reply = await enterprise.post(
            f"/alarms/{record['id']}/handle", json={"reason": "equipment_fault", "text": "脱硫循环泵跳闸，已复位"}
        )
    assert reply.status_code == 200, reply.text
    assert reply.json()["stage"] == "closed_by_enterprise"
    async with desk.workflow.sessionmaker() as session:
        timers = await timers_repository.of_alarm(session, uuid.UUID(record["id"]))
    assert {t.kind for t in timers} == {"self_check_deadline", "self_check_reminder"}
    assert all(t.cancelled_at is not None and t.fired_at is None for t in timers)
    with desk.later(minutes=31):  # the window passes: the timer must not escalate a handled alarm
        await desk.workflow.fire_timers()
    alarm = await desk.read(record["id"])
    assert alarm["stage"] == "closed_by_enterprise" and alarm["closed_at"] is not None
    assert desk.actions(alarm) == ["open", "handle"]
    handle = alarm["events"][1]
    assert handle["role"] == "enterprise" and handle["from_stage"] == "enterprise_check"
    assert "设备故障" in handle["reason"] and "脱硫循环泵跳闸" in handle["reason"]
    queue = await desk.city.get("/alarms", params={"stage": "city_review", "ps_id": record["ps_id"]})
    assert queue.json() == []  # never sent to the city


async def test_not_handled_in_time_goes_to_the_city_which_approves(desk: Desk) -> None:
    record = await desk.raise_alarm()
    escalated = await desk.escalate(record)
    assert desk.actions(escalated) == ["open", "escalate"]
    assert escalated["events"][1]["actor"] == "system" and "30 分钟" in escalated["events"][1]["reason"]
    queue = await desk.city.get("/alarms", params={"stage": "city_review", "ps_id": record["ps_id"]})
    assert [a["id"] for a in queue.json()] == [record["id"]]
    approved = await desk.review(record, "approve", "企业说明属实，同意办结")
    assert approved["stage"] == "approved" and approved["review_opinion"] == "企业说明属实，同意办结"
    assert desk.actions(approved) == ["open", "escalate", "approve"]
    assert approved["task"] is None and approved["province_push"] is None


PHOTO = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 64  # a PNG by its signature


async def test_rejected_goes_to_the_province_and_an_enforcement_task_whose_inspection_closes_it(
    desk: Desk, outside: Outside
) -> None:
    record = await desk.raise_alarm()
    outside.enterprises[record["ps_id"]] = {
        "ps_id": record["ps_id"],
        "name": record["enterprise_name"],
        "county_code": record["county"],
        "address": "河北省沧州市沧县经济开发区兴业路8号",
        "longitude": 116.87,
        "latitude": 38.29,
        "industry": "新型建材",
        "env_contact_name": "李环保",
        "env_contact_phone": "13803170001",
    }
    await desk.escalate(record)
    rejected = await desk.review(record, "reject", "未说明原因，转执法核查")
    assert rejected["stage"] == "enforcement"
    assert desk.actions(rejected) == ["open", "escalate", "reject", "dispatch"]
    assert rejected["task"]["status"] == "new"
    assert rejected["province_push"]["delivered_at"] is None  # queued in the transaction of the decision

    report = await desk.workflow.deliver()
    assert report.delivered >= 2
    [pushed] = outside.bridge_payloads(record["id"])
    assert pushed["schema"] == "fbjd.abnormal-disposition/v1"
    assert (pushed["ps_id"], pushed["stage"], pushed["opinion"]) == (
        record["ps_id"],
        "rejected",
        "未说明原因，转执法核查",
    )
    assert pushed["record"]["id"] == record["id"] and pushed["record"]["version"] == 1
    assert pushed["disposition"]["decision"] == "reject"
    assert pushed["disposition"]["opinion"] == "未说明原因，转执法核查"
    [webhook] = outside.tasks_pushed(record["id"])
    assert webhook["headers"]["x-fbjd-event"] == "task.created"
    assert webhook["body"]["task"]["schema"] == "fbjd.task/v1"

    officer = desk.api(Role.ENFORCEMENT, subject="hebei-mobile-enforcement")
    task_id = rejected["task"]["id"]
    listed = await officer.get("/tasks", params={"status": "new"})
    assert task_id in [t["id"] for t in listed.json()]
    task = (await officer.get(f"/tasks/{task_id}")).json()
    assert task["enterprise"]["address"] == "河北省沧州市沧县经济开发区兴业路8号"
    assert task["enterprise"]["latitude"] == 38.29
    assert task["abnormal"]["treatment_facility_name"] == "1#脱硫塔"
    assert task["city_review"]["opinion"] == "未说明原因，转执法核查"
    assert (await officer.post(f"/tasks/{task_id}/accept")).json()["status"] == "accepted"
    inspection = {
        "officer_name": "王执法",
        "officer_id": "HB-CZ-0213",
        "inspected_at": "2026-11-25T14:30:00+08:00",
        "findings": "脱硫塔循环泵电机烧毁，窑炉未停产，已责令停产整改",
        "conclusion": "violation_confirmed",
        "photos": [{"filename": "现场照片1.png", "content_base64": base64.b64encode(PHOTO).decode()}],
    }
    reply = await officer.post(f"/tasks/{task_id}/inspection", json=inspection)
    assert reply.status_code == 201, reply.text
    assert reply.json()["status"] == "completed"
    photo = reply.json()["inspection"]["photos"][0]
    download = await officer.get(photo["download_path"].removeprefix("/api/workflow"))
    assert download.content == PHOTO and download.headers["content-type"] == "image/png"

    closed = await desk.read(record["id"])
    assert closed["stage"] == "inspected" and closed["closed_at"] is not None
    assert desk.actions(closed) == ["open", "escalate", "reject", "dispatch", "task_accepted", "inspect"]
    assert closed["inspection"]["conclusion_label"] == "违法属实，立案查处"
    assert closed["province_push"]["delivered_at"] is not None


async def test_an_approved_pre_declaration_covers_the_alarm_of_its_facility_and_window(desk: Desk) -> None:
    record = desk.record()
    enterprise = desk.enterprise(record)
    await desk.post(desk.record(ps_id=record["ps_id"]))  # an earlier alarm tells the workflow the county
    window = {
        "facility_id": record["treatment_facility_id"],
        "facility_name": "1#脱硫塔",
        "starts_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(hours=6)).isoformat(),
        "reason": "overhaul",
        "text": "应急管控期间脱硫塔检修，窑炉保温用电不生产",
    }
    declared = await enterprise.post("/declarations/before", json=window)
    assert declared.status_code == 201, declared.text
    assert declared.json()["status"] == "pending" and declared.json()["county"] == record["county"]
    decision = await desk.city.post(
        f"/declarations/{declared.json()['id']}/decision", json={"decision": "approve", "opinion": "同意检修"}
    )
    assert decision.json()["status"] == "approved"

    assert (await desk.post(record))["stage"] == "covered_by_declaration"
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()
    alarm = await desk.read(record["id"], enterprise)
    assert alarm["stage"] == "covered_by_declaration" and alarm["covered_by"] == declared.json()["id"]
    assert desk.actions(alarm) == ["open", "cover"]
    assert alarm["declarations"][0]["reason_label"] == "设备检修"
    mine = await enterprise.get("/alarms", params={"stage": "covered_by_declaration"})
    assert record["id"] in [a["id"] for a in mine.json()]  # kept and visible


async def test_approving_a_pre_declaration_covers_the_alarm_already_open(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    window = {
        "facility_id": record["production_facility_id"],
        "starts_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "reason": "power_without_production",
        "text": "窑炉停产检修，仅照明及保温用电",
    }
    declared = (await enterprise.post("/declarations/before", json=window)).json()
    await desk.city.post(f"/declarations/{declared['id']}/decision", json={"decision": "approve", "opinion": "同意"})
    alarm = await desk.read(record["id"])
    assert alarm["stage"] == "covered_by_declaration"
    again = await desk.city.post(
        f"/declarations/{declared['id']}/decision", json={"decision": "refuse", "opinion": "撤回"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"


async def test_a_refused_pre_declaration_covers_nothing(desk: Desk) -> None:
    record = desk.record()
    await desk.post(desk.record(ps_id=record["ps_id"]))
    enterprise = desk.enterprise(record)
    window = {
        "facility_id": record["treatment_facility_id"],
        "starts_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "ends_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        "reason": "other",
        "text": "计划检修",
    }
    declared = (await enterprise.post("/declarations/before", json=window)).json()
    refused = await desk.city.post(
        f"/declarations/{declared['id']}/decision",
        json={"decision": "refuse", "opinion": "应急期间不得检修停运治理设施"},
    )
    assert refused.json()["status"] == "refused"
    assert (await desk.post(record))["stage"] == "enterprise_check"
    alarm = await desk.escalate(record)
    assert alarm["covered_by"] is None


async def test_the_abnormal_going_on_after_handling_is_escalated_to_the_city(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    handled = await enterprise.post(f"/alarms/{record['id']}/handle", json={"reason": "maintenance", "text": "已抢修"})
    assert handled.json()["stage"] == "closed_by_enterprise"
    still = {
        **record,
        "version": 2,
        "end": (datetime.now(UTC) + timedelta(minutes=10)).isoformat(),
        "duration_minutes": 30,
    }
    with desk.later(minutes=10):
        result = await desk.post(still, expected=200)
    assert result == {"alarm_id": record["id"], "version": 2, "stage": "city_review", "applied": "updated"}
    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open", "handle", "continue"]
    assert "企业处理后异常仍在持续" in alarm["events"][-1]["reason"]
    assert alarm["handling_text"] == "已抢修"  # the enterprise's account stays on the record for the city


async def test_a_record_withdrawn_by_the_rules_closes_the_alarm_as_withdrawn(desk: Desk) -> None:
    record = await desk.raise_alarm()
    result = await desk.post({**record, "version": 2, "status": "withdrawn"}, expected=200)
    assert result["stage"] == "withdrawn"
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()
    alarm = await desk.read(record["id"])
    assert desk.actions(alarm) == ["open", "withdraw"] and alarm["record_status"] == "withdrawn"


async def test_handling_after_the_window_is_refused_and_changes_nothing(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    with desk.later(minutes=30, seconds=5):  # the window has closed, the timer has not run yet
        reply = await enterprise.post(f"/alarms/{record['id']}/handle", json={"reason": "other", "text": "迟到的说明"})
    assert reply.status_code == 409
    assert (
        reply.json()["error"]["code"] == "self_check_window_closed" and "事后申报" in reply.json()["error"]["message"]
    )
    alarm = await desk.read(record["id"])
    assert alarm["stage"] == "enterprise_check" and alarm["handled_at"] is None and desk.actions(alarm) == ["open"]


async def test_a_step_out_of_order_is_409_and_leaves_the_alarm_as_it_was(desk: Desk) -> None:
    record = await desk.raise_alarm()
    early = await desk.city.post(f"/alarms/{record['id']}/review", json={"decision": "approve", "opinion": "提前审核"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_transition"
    assert "企业自查" in early.json()["error"]["message"]
    await desk.escalate(record)
    await desk.review(record, "approve")
    twice = await desk.city.post(f"/alarms/{record['id']}/review", json={"decision": "reject", "opinion": "改判"})
    assert twice.status_code == 409
    enterprise = desk.enterprise(record)
    late = await enterprise.post(f"/alarms/{record['id']}/handle", json={"reason": "other", "text": "补充说明"})
    assert late.status_code == 409
    alarm = await desk.read(record["id"])
    assert alarm["stage"] == "approved" and alarm["review_decision"] == "approve"
    assert desk.actions(alarm) == ["open", "escalate", "approve"] and alarm["task"] is None


async def test_the_history_of_an_alarm_cannot_be_rewritten(desk: Desk) -> None:
    record = await desk.raise_alarm()
    async with desk.workflow.sessionmaker() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(
                text("UPDATE workflow.alarm_events SET reason = 'x' WHERE alarm_id = :id"), {"id": record["id"]}
            )
        await session.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text("DELETE FROM workflow.alarm_events WHERE alarm_id = :id"), {"id": record["id"]})
