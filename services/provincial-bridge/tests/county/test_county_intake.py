"""County platforms report abnormal records to the city through the province's interface (issue 6).

The body and the reply are the province's; every record becomes a city alarm in the workflow, whatever the
county re-sends or extends stays one record, and a county reports only its own county's enterprises.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest
from fbjd_bridge.county.service import NAMESPACE
from fbjd_core.auth import Role
from sqlalchemy import text

from .conftest import CANGXIAN, XINHUA, abnormal_item, limit_item

if TYPE_CHECKING:
    from conftest import Clock

    from .conftest import Desk, Works


def key_id(works: Works, start: str, *, endpoint: str = "abnormal", point: str | None = None) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{endpoint}|{works.ps_id}|{point or works.fan}|{start}"))


async def test_a_countys_record_becomes_one_city_alarm_marked_as_the_countys(desk: Desk, cangxian_works: Works) -> None:
    """沧县 reports 1#风机 off from 23:15 to 01:00 the next day → success, one record, one alarm of the city."""
    reply = await desk.push([abnormal_item(cangxian_works, "2026-03-01 23:15:00", "2026-03-02 01:00:00")])
    assert reply == {"success": True, "msg": "成功接收1条"}
    [report] = await desk.reports(ps_id=cangxian_works.ps_id)
    alarm_id = key_id(cangxian_works, "2026-03-01 23:15:00")
    assert report["id"] == alarm_id and report["county"] == CANGXIAN and report["version"] == 1
    assert report["delivery"]["state"] == "pending" and report["item"]["exDay"] == "2026-03-02"

    assert await desk.deliverer.deliver_until_idle() >= 1
    alarm = await desk.alarm(alarm_id)
    assert alarm["source"] == "county" and alarm["record"]["reported_by"].startswith("county:")
    assert alarm["type"] == "treatment_abnormal" and alarm["county"] == CANGXIAN
    assert alarm["production_facility_name"] == "1#辊道窑" and alarm["treatment_facility_name"] == "布袋除尘器"
    assert alarm["treatment_point_ids"] == [cangxian_works.fan, cangxian_works.standby]
    assert alarm["start"].startswith("2026-03-01T15:15:00") and alarm["duration_minutes"] == 105
    assert alarm["grade"] == "serious" and alarm["stage"] == "enterprise_check"
    [report] = await desk.reports(ps_id=cangxian_works.ps_id)
    assert report["delivery"]["state"] == "delivered" and report["delivery"]["delivered_version"] == 1
    assert report["delivery"]["alarm_stage"] == "enterprise_check"


async def test_a_record_re_sent_and_extended_three_times_stays_one_record_and_one_alarm(
    desk: Desk, cangxian_works: Works
) -> None:
    start = "2026-03-03 08:00:00"
    for end in ("2026-03-03 08:20:00", "2026-03-03 08:20:00", "2026-03-03 08:40:00", "2026-03-03 09:30:00"):
        assert (await desk.push([abnormal_item(cangxian_works, start, end)]))["success"]
    [report] = await desk.reports(ps_id=cangxian_works.ps_id)
    assert report["reports"] == 4 and report["version"] == 3  # the identical re-send changed nothing
    assert report["item"]["exTimeEnd"] == "2026-03-03 09:30:00"
    await desk.deliverer.deliver_until_idle()
    alarm = await desk.alarm(key_id(cangxian_works, start))
    assert alarm["version"] == 3 and alarm["duration_minutes"] == 90
    listed = await desk.services.workflow.get("/alarms", params={"ps_id": cangxian_works.ps_id})
    assert [a["id"] for a in listed.json()] == [alarm["id"]]


async def test_consecutive_reports_of_one_point_merge_as_the_province_merges_them(
    desk: Desk, cangxian_works: Works
) -> None:
    """08:00-08:30 and 09:00-09:30 are two records; 08:30-09:00 touches both: one record 08:00-09:30, the
    younger record's alarm is withdrawn."""
    first = abnormal_item(cangxian_works, "2026-03-04 08:00:00", "2026-03-04 08:30:00")
    second = abnormal_item(cangxian_works, "2026-03-04 09:00:00", "2026-03-04 09:30:00")
    assert (await desk.push([first, second]))["success"]
    await desk.deliverer.deliver_until_idle()
    assert len(await desk.reports(ps_id=cangxian_works.ps_id)) == 2

    gap = abnormal_item(cangxian_works, "2026-03-04 08:30:00", "2026-03-04 09:00:00")
    assert (await desk.push([gap]))["success"]
    reports = {r["id"]: r for r in await desk.reports(ps_id=cangxian_works.ps_id)}
    keeper, younger = key_id(cangxian_works, "2026-03-04 08:00:00"), key_id(cangxian_works, "2026-03-04 09:00:00")
    assert reports[keeper]["status"] == "open" and reports[keeper]["reports"] == 3
    assert reports[keeper]["item"]["exTimeStart"] == "2026-03-04 08:00:00"
    assert reports[keeper]["item"]["exTimeEnd"] == "2026-03-04 09:30:00"
    assert reports[younger]["status"] == "merged" and reports[younger]["merged_into"] == keeper
    await desk.deliverer.deliver_until_idle()
    assert (await desk.alarm(keeper))["duration_minutes"] == 90
    gone = await desk.alarm(younger)
    assert gone["record_status"] == "withdrawn" and gone["open"] is False


async def test_a_limit_record_is_a_stop_violation_alarm(desk: Desk, cangxian_works: Works) -> None:
    item = limit_item(cangxian_works, "2026-03-05 10:00:00", "2026-03-05 10:45:00")
    assert (await desk.push([item], endpoint="limit"))["success"]
    await desk.deliverer.deliver_until_idle()
    alarm = await desk.alarm(key_id(cangxian_works, "2026-03-05 10:00:00", endpoint="limit", point=cangxian_works.kiln))
    assert alarm["type"] == "stop_violation" and alarm["treatment_facility_id"] is None and alarm["source"] == "county"


BAD_ITEMS: list[tuple[str, dict[str, Any], str]] = [
    ("psId", {"psId": "ABC"}, "32位小写十六进制"),
    ("exDay", {"exDay": "2026-03-06"}, "exTimeEnd 的日期"),
    ("exDay", {"exDay": "2026/03/07"}, "YYYY-MM-DD"),
    ("exTimeStart", {"exTimeStart": "2026-03-07T08:00:00"}, "YYYY-MM-DD hh:mm:ss"),
    ("exTimeEnd", {"exTimeEnd": "2026-03-07 25:00:00"}, "不是有效的时间"),
    ("exTimeEnd", {"exTimeEnd": "2026-03-07 07:00:00"}, "须晚于 exTimeStart"),
    ("productorEquipId", {"productorEquipId": "a b"}, "字母、数字"),
    ("treatmentAmmeterIds", {"treatmentAmmeterIds": "x1, x2"}, "逗号分隔"),
    ("productorEquipThreshold", {"productorEquipThreshold": 10}, "数值字符串"),
    ("treatmentAmmeterThreshold", {"treatmentAmmeterThreshold": "1.2345"}, "最多3位小数"),
    ("treatmentAmmeterThresholdTime", {"treatmentAmmeterThresholdTime": "15"}, "整数"),
    ("remark", {"remark": " "}, "判定依据"),
    ("extra", {"extra": 1}, "不是接口定义的字段"),
]


@pytest.mark.parametrize(
    ("field", "change", "words"), BAD_ITEMS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_ITEMS)]
)
async def test_one_invalid_field_refuses_the_whole_request_and_names_the_record_and_field(
    desk: Desk, cangxian_works: Works, field: str, change: dict[str, Any], words: str
) -> None:
    good = abnormal_item(cangxian_works, "2026-03-07 08:00:00", "2026-03-07 08:30:00")
    bad = {**abnormal_item(cangxian_works, "2026-03-07 09:00:00", "2026-03-07 09:30:00"), **change}
    reply = await desk.push([good, bad])
    assert reply["success"] is False
    assert reply["msg"].startswith(f"第2条记录 {field}：") and words in reply["msg"], reply["msg"]
    assert await desk.reports(ps_id=cangxian_works.ps_id) == []


async def test_a_missing_field_and_a_body_that_is_not_an_array_are_refused(desk: Desk, cangxian_works: Works) -> None:
    item = abnormal_item(cangxian_works, "2026-03-07 08:00:00", "2026-03-07 08:30:00")
    del item["treatmentId"]
    assert (await desk.push([item]))["msg"] == "第1条记录 treatmentId：缺少该字段"
    assert (await desk.push({"psId": cangxian_works.ps_id}))["msg"] == "请求：请求体须为 JSON 数组"  # type: ignore[arg-type]
    assert (await desk.push([]))["success"] is False
    raw = await desk.county().post(
        "/pcom/ps/ex/join/limit", content=b"[{", headers={"Content-Type": "application/json"}
    )
    assert raw.status_code == 200 and raw.json() == {"success": False, "msg": "请求：请求体不是合法的 JSON"}


async def test_a_county_reports_only_its_own_countys_enterprises_with_registered_ids(
    desk: Desk, cangxian_works: Works, xinhua_works: Works
) -> None:
    theirs = abnormal_item(xinhua_works, "2026-03-08 08:00:00", "2026-03-08 08:30:00")
    ours = abnormal_item(cangxian_works, "2026-03-08 08:00:00", "2026-03-08 08:30:00")
    refused = await desk.push([ours, theirs], county=CANGXIAN)
    assert (
        refused["success"] is False and refused["msg"].startswith("第2条记录 psId：") and "管辖范围" in refused["msg"]
    )
    assert await desk.reports(ps_id=cangxian_works.ps_id) == []

    stranger = {**ours, "treatmentAmmeterId": xinhua_works.fan, "treatmentAmmeterIds": xinhua_works.fan}
    assert (await desk.push([stranger]))["msg"].startswith("第1条记录 treatmentAmmeterId：")
    unknown = {**ours, "psId": uuid.uuid4().hex}
    assert "登记库中没有企业" in (await desk.push([unknown]))["msg"]

    assert (await desk.push([theirs], county=XINHUA))["success"]
    city = await desk.bridge.api(Role.CITY).post("/pcom/ps/ex/join/abnormal", json=[ours])
    assert city.json() == {"success": True, "msg": "成功接收1条"}
    for role in (Role.ENTERPRISE, Role.SERVICE, Role.PROVINCE):
        assert (await desk.bridge.api(role).post("/pcom/ps/ex/join/abnormal", json=[ours])).status_code == 403

    mine = await desk.county(CANGXIAN).get("/county-reports")
    assert mine.status_code == 200 and {r["county"] for r in mine.json()} == {CANGXIAN}
    assert (await desk.county(CANGXIAN).get("/county-reports", params={"county": XINHUA})).status_code == 403
    both = {r["ps_id"] for r in await desk.reports()}
    assert {cangxian_works.ps_id, xinhua_works.ps_id} <= both


async def test_a_workflow_outage_loses_nothing_and_is_shown_until_the_record_is_delivered(
    desk: Desk, cangxian_works: Works, clock: Clock
) -> None:
    from fbjd_bridge.config import service_token
    from fbjd_bridge.county.delivery import CountyDeliverer, WorkflowIntake

    assert (await desk.push([abnormal_item(cangxian_works, "2026-03-09 08:00:00", "2026-03-09 08:30:00")]))["success"]
    down = WorkflowIntake("http://127.0.0.1:9", token=lambda: service_token(desk.bridge.settings), timeout_s=1)
    try:
        failing = CountyDeliverer(desk.bridge.sessionmaker, desk.bridge.settings, down)
        assert await failing.deliver_until_idle() == 0
    finally:
        await down.aclose()
    [report] = await desk.reports(ps_id=cangxian_works.ps_id)
    assert report["delivery"]["state"] == "retrying" and report["delivery"]["attempts"] == 1
    assert "不可达" in report["delivery"]["last_error"]
    await desk.deliverer.deliver_until_idle()  # backing off: not due yet
    [report] = await desk.reports(ps_id=cangxian_works.ps_id)
    assert report["delivery"]["state"] == "retrying"

    clock.advance(seconds=5)
    assert await desk.deliverer.deliver_until_idle() >= 1
    [report] = await desk.reports(ps_id=cangxian_works.ps_id, undelivered=False)
    assert report["delivery"]["state"] == "delivered" and report["delivery"]["last_error"] is None
    assert (await desk.alarm(report["id"]))["version"] == 1


async def test_the_record_and_its_delivery_are_written_in_one_transaction(desk: Desk, cangxian_works: Works) -> None:
    """The stored row is its own outbox entry: stored ⇒ due for the workflow, nothing sent to the province."""
    assert (await desk.push([abnormal_item(cangxian_works, "2026-03-10 08:00:00", "2026-03-10 08:30:00")]))["success"]
    async with desk.bridge.sessionmaker() as session:
        due = await session.scalar(
            text("SELECT count(*) FROM bridge.county_reports WHERE ps_id = :p AND delivered_version < version"),
            {"p": cangxian_works.ps_id},
        )
        pushed = await session.scalar(
            text("SELECT count(*) FROM bridge.outbox WHERE ps_id = :p"), {"p": cangxian_works.ps_id}
        )
    assert due == 1 and pushed == 0
