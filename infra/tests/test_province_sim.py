"""The simulated province: strict validation of every field, merging per point, the page, the switches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fbjd_infra.simulators.province import create_app, main
from fbjd_infra.simulators.province.app import ProvinceState
from fbjd_testing.plugin import serve

ABNORMAL = "/pcom/ps/ex/join/abnormal"
LIMIT = "/pcom/ps/ex/join/limit"
PS_ID = "0123456789abcdef0123456789abcdef"


def abnormal(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "psId": PS_ID,
        "exDay": "2019-10-22",
        "productorEquipId": "prod-1",
        "treatmentId": "treat-1",
        "treatmentAmmeterId": "tp-main",
        "treatmentAmmeterIds": "tp-main,tp-standby",
        "exTimeStart": "2019-10-21 23:15:00",
        "exTimeEnd": "2019-10-22 01:00:00",
        "productorEquipThreshold": "10",
        "treatmentAmmeterThreshold": "12.5",
        "treatmentAmmeterThresholdTime": 15,
        "remark": "生产设施运行期间治理设施未运行，持续105分钟。",
    }
    item.update(overrides)
    return item


def limit(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "psId": PS_ID,
        "exDay": "2019-10-22",
        "productorEquipId": "prod-1",
        "exTimeStart": "2019-10-22 08:00:00",
        "exTimeEnd": "2019-10-22 09:00:00",
        "remark": "红色预警期间应停未停，持续60分钟。",
    }
    item.update(overrides)
    return item


class Province:
    def __init__(self, client: httpx.AsyncClient, state: ProvinceState) -> None:
        self.client, self.state = client, state

    async def push(self, path: str, body: Any) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def switch(self, mode: str, **extra: Any) -> None:
        reply = await self.client.post("/_switch", json={"mode": mode, **extra})
        assert reply.status_code == 200, reply.text

    async def received(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.client.get("/_received")).json()
        return result


@pytest.fixture
async def province() -> AsyncIterator[Province]:
    app = create_app(hang_s=5.0)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=5) as client:
        yield Province(client, app.state.province)
        await client.post("/_switch", json={"mode": "ok"})  # release anything still hanging


async def test_valid_arrays_are_taken_on_both_endpoints(province: Province) -> None:
    reply = await province.push(ABNORMAL, [abnormal(), abnormal(treatmentAmmeterId="tp-2", treatmentAmmeterIds="tp-2")])
    assert reply.status_code == 200 and reply.json() == {"success": True, "msg": "成功接收2条"}
    reply = await province.push(LIMIT, [limit()])
    assert reply.json()["success"] is True
    received = await province.received()
    assert [r["_endpoint"] for r in received["records"]] == ["abnormal", "abnormal", "limit"]
    assert received["records"][0]["exTimeStart"] == "2019-10-21 23:15:00"


BAD_FIELDS: list[tuple[str, Any]] = [
    ("psId", "0123456789ABCDEF0123456789ABCDEF"),
    ("psId", 123),
    ("exDay", "2019/10/22"),
    ("exDay", "2019-10-21"),  # not the date of exTimeEnd
    ("exDay", "2019-02-30"),
    ("productorEquipId", ""),
    ("productorEquipId", "prod 1"),
    ("treatmentId", None),
    ("treatmentAmmeterId", "tp main"),
    ("treatmentAmmeterIds", "tp-main, tp-standby"),
    ("treatmentAmmeterIds", "tp-standby"),  # the reported point is missing from its group
    ("treatmentAmmeterIds", "tp-main,tp-main"),
    ("exTimeStart", "2019-10-21T23:15:00"),
    ("exTimeStart", "2019-10-21 23:15"),
    ("exTimeEnd", "2019-10-22 24:00:00"),
    ("exTimeEnd", "2019-10-21 23:00:00"),  # before the start
    ("productorEquipThreshold", 10),
    ("productorEquipThreshold", "10kW"),
    ("treatmentAmmeterThreshold", "-1"),
    ("treatmentAmmeterThreshold", "1e3"),
    ("treatmentAmmeterThresholdTime", "15"),
    ("treatmentAmmeterThresholdTime", 0),
    ("treatmentAmmeterThresholdTime", True),
    ("remark", ""),
    ("remark", "很" * 501),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
async def test_every_field_is_checked_and_named_in_the_answer(province: Province, field: str, value: Any) -> None:
    reply = await province.push(ABNORMAL, [abnormal(), abnormal(**{field: value})])
    body = reply.json()
    assert reply.status_code == 200 and body["success"] is False
    assert body["msg"].startswith("第2条记录") and field in body["msg"], body["msg"]
    assert (await province.received())["records"] == []  # all or nothing


async def test_missing_and_unknown_fields_are_refused(province: Province) -> None:
    item = abnormal()
    del item["remark"]
    assert "remark" in (await province.push(ABNORMAL, [item])).json()["msg"]
    assert "alarmId" in (await province.push(ABNORMAL, [abnormal(alarmId="x")])).json()["msg"]
    # the limit endpoint takes its six fields only
    assert "treatmentId" in (await province.push(LIMIT, [limit(treatmentId="t")])).json()["msg"]
    assert "exDay" in (await province.push(LIMIT, [limit(exDay="2019-10-23")])).json()["msg"]


async def test_a_body_that_is_not_an_array_is_refused(province: Province) -> None:
    assert (await province.push(ABNORMAL, abnormal())).json() == {"success": False, "msg": "请求：请求体须为 JSON 数组"}
    assert (await province.push(ABNORMAL, [])).json()["success"] is False
    reply = await province.client.post(ABNORMAL, content=b"[{", headers={"Content-Type": "application/json"})
    assert reply.json()["success"] is False


async def test_consecutive_reports_of_one_point_merge_into_one_record(province: Province) -> None:
    first = abnormal(exTimeStart="2026-01-01 10:00:00", exTimeEnd="2026-01-01 10:30:00", exDay="2026-01-01")
    later = abnormal(exTimeStart="2026-01-01 10:00:00", exTimeEnd="2026-01-01 11:00:00", exDay="2026-01-01")
    touching = abnormal(exTimeStart="2026-01-01 11:00:00", exTimeEnd="2026-01-01 11:20:00", exDay="2026-01-01")
    apart = abnormal(exTimeStart="2026-01-01 12:00:00", exTimeEnd="2026-01-01 12:30:00", exDay="2026-01-01")
    other_point = abnormal(
        treatmentAmmeterId="tp-2",
        treatmentAmmeterIds="tp-2",
        exTimeStart="2026-01-01 10:00:00",
        exTimeEnd="2026-01-01 10:30:00",
        exDay="2026-01-01",
    )
    for body in ([first], [first], [later], [touching], [apart], [other_point]):
        assert (await province.push(ABNORMAL, body)).json()["success"] is True
    records = (await province.received())["records"]
    spans = [(r["treatmentAmmeterId"], r["exTimeStart"], r["exTimeEnd"], r["_reports"]) for r in records]
    assert spans == [
        ("tp-main", "2026-01-01 10:00:00", "2026-01-01 11:20:00", 4),
        ("tp-main", "2026-01-01 12:00:00", "2026-01-01 12:30:00", 1),
        ("tp-2", "2026-01-01 10:00:00", "2026-01-01 10:30:00", 1),
    ]
    # a report that bridges two held records joins them
    bridge = abnormal(exTimeStart="2026-01-01 11:10:00", exTimeEnd="2026-01-01 12:10:00", exDay="2026-01-01")
    await province.push(ABNORMAL, [bridge])
    records = (await province.received())["records"]
    assert [(r["exTimeStart"], r["exTimeEnd"]) for r in records if r["treatmentAmmeterId"] == "tp-main"] == [
        ("2026-01-01 10:00:00", "2026-01-01 12:30:00")
    ]


async def test_a_record_that_crosses_midnight_keeps_the_day_of_its_end(province: Province) -> None:
    await province.push(ABNORMAL, [abnormal(exTimeEnd="2019-10-21 23:45:00", exDay="2019-10-21")])
    await province.push(ABNORMAL, [abnormal()])  # the same record, extended past midnight
    [record] = (await province.received())["records"]
    assert (record["exTimeStart"], record["exTimeEnd"], record["exDay"]) == (
        "2019-10-21 23:15:00",
        "2019-10-22 01:00:00",
        "2019-10-22",
    )


async def test_switches_fail_the_way_a_province_does(province: Province) -> None:
    await province.switch("error500")
    reply = await province.push(ABNORMAL, [abnormal()])
    assert reply.status_code == 500
    await province.switch("fail")
    assert (await province.push(ABNORMAL, [abnormal()])).json() == {"success": False, "msg": "系统繁忙，请稍后再试"}
    await province.switch("timeout")
    with pytest.raises(httpx.ReadTimeout):
        await province.client.post(ABNORMAL, json=[abnormal()], timeout=0.3)
    await province.switch("slow", delay_s=0.4)
    started = time.monotonic()
    reply = await province.push(ABNORMAL, [abnormal()])
    assert reply.json()["success"] is True and time.monotonic() - started >= 0.35
    await province.switch("ok")
    assert len((await province.received())["records"]) == 1  # only the slow one was taken
    assert (await province.push(ABNORMAL, [abnormal()])).json()["success"] is True


async def test_a_hanging_request_is_released_when_switched_back(province: Province) -> None:
    await province.switch("timeout")
    pending = asyncio.create_task(province.client.post(ABNORMAL, json=[abnormal()]))
    await asyncio.sleep(0.1)
    await province.switch("ok")
    reply = await asyncio.wait_for(pending, timeout=2)
    assert reply.status_code == 504
    assert (await province.received())["records"] == []


async def test_the_page_lists_what_it_received(province: Province) -> None:
    await province.push(ABNORMAL, [abnormal()])
    await province.push(LIMIT, [limit(remark="<script>x</script>")])
    page = await province.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert PS_ID in page.text and "2019-10-22 01:00:00" in page.text and "&lt;script&gt;" in page.text
    assert "已接收异常记录（2 条" in page.text


def test_main_has_a_command_line() -> None:
    with pytest.raises(SystemExit) as leaving:
        main(["--help"])
    assert leaving.value.code == 0
