"""分表计电验收申请基础信息表: registering an enterprise, every field checked with a clear message, nothing saved
when anything is wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Builder, PayloadFactory


async def test_a_complete_form_registers_the_enterprise_in_stage_planned(
    city: httpx.AsyncClient, make_payload: PayloadFactory
) -> None:
    payload = make_payload()
    reply = await city.post("/enterprises", json=payload)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["ps_id"], body["stage"], body["credit_code"]) == (payload["ps_id"], "planned", payload["credit_code"])
    again = await city.get(f"/enterprises/{payload['ps_id']}")
    assert again.status_code == 200 and again.json()["name"] == payload["name"]


def _wrong_check_character(payload: dict[str, Any]) -> dict[str, Any]:
    code = payload["credit_code"]
    wrong = "0" if code[-1] != "0" else "1"
    return {"credit_code": code[:-1] + wrong, "permit_no": code[:-1] + wrong + "001P"}


BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("ps_id", "ABCDEF", "32位小写十六进制"),
    ("name", "", "至少 2 个字"),
    ("address", None, "必填"),
    ("county_code", "999999", "不存在"),
    ("county_code", "12", "6位行政区划代码"),
    ("longitude", 121.47, "不在沧州市范围内"),
    ("latitude", 40.2, "不在沧州市范围内"),
    ("longitude", "东经116度", "须为数字"),
    ("credit_code", "91130902MA0ABCDI1X", "不允许的字符"),
    ("credit_code", "9113090", "须为18位"),
    ("permit_no", "12345", "须为22位"),
    ("legal_representative", None, "必填"),
    ("postcode", "06100", "6位数字"),
    ("category", "私营企业", "须为以下之一"),
    ("industry", "食品加工", "须为以下之一"),
    ("env_contact_phone", "12345", "手机号"),
    ("operator_phone", "call me", "手机号"),
    ("planned_install_date", "2026-13-01", "须为日期"),
    ("surprise", "x", "不认识的字段"),
]


@pytest.mark.parametrize(("field", "value", "expected"), BAD_FIELDS, ids=[f"{f}={v!r}" for f, v, _ in BAD_FIELDS])
async def test_a_bad_field_is_named_with_what_is_wrong_and_nothing_is_saved(
    city: httpx.AsyncClient, make_payload: PayloadFactory, field: str, value: Any, expected: str
) -> None:
    payload = make_payload()
    if value is None:
        del payload[field]
    else:
        payload[field] = value
    reply = await city.post("/enterprises", json=payload)
    assert reply.status_code == 422, reply.text
    problems = reply.json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field], problems
    assert expected in problems[0]["message"]
    assert (await city.get(f"/enterprises/{payload['ps_id']}")).status_code in {404, 422}


async def test_a_credit_code_with_a_wrong_check_character_says_which_character_is_right(
    city: httpx.AsyncClient, make_payload: PayloadFactory
) -> None:
    payload = make_payload()
    right = payload["credit_code"][-1]
    payload.update(_wrong_check_character(payload))
    reply = await city.post("/enterprises", json=payload)
    assert reply.status_code == 422
    (problem,) = reply.json()["error"]["problems"]
    assert problem["field"] == "credit_code" and problem["label"] == "统一社会信用代码"
    assert f"第18位应为 {right}" in problem["message"]


CROSS_FIELD: list[tuple[dict[str, Any], str, str]] = [
    ({"permit_no": "911309020000000000001P"}, "permit_no", "应与统一社会信用代码"),
    ({"is_300mw_power_plant": True}, "is_300mw_power_plant", "只有电力行业"),
    ({"planned_network_date": "2026-02-01"}, "planned_network_date", "早于计划安装日期"),
]


@pytest.mark.parametrize(("change", "field", "expected"), CROSS_FIELD, ids=[f for _, f, _ in CROSS_FIELD])
async def test_fields_that_do_not_fit_together_are_named(
    city: httpx.AsyncClient, make_payload: PayloadFactory, change: dict[str, Any], field: str, expected: str
) -> None:
    payload = make_payload(**change)
    reply = await city.post("/enterprises", json=payload)
    assert reply.status_code == 422, reply.text
    problems = reply.json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field] and expected in problems[0]["message"]
    assert (await city.get(f"/enterprises/{payload['ps_id']}")).status_code == 404


async def test_a_form_with_several_mistakes_lists_every_one(
    city: httpx.AsyncClient, make_payload: PayloadFactory
) -> None:
    payload = make_payload(postcode="abc", industry="食品", env_contact_phone="1")
    del payload["name"]
    reply = await city.post("/enterprises", json=payload)
    assert reply.status_code == 422
    body = reply.json()["error"]
    assert sorted(p["field"] for p in body["problems"]) == ["env_contact_phone", "industry", "name", "postcode"]
    assert body["message"] == "提交的数据有 4 处错误"


async def test_a_credit_code_already_registered_is_a_conflict(
    city: httpx.AsyncClient, build: Builder, make_payload: PayloadFactory
) -> None:
    first = await build.enterprise()
    reply = await city.post("/enterprises", json=make_payload(credit_code=first["credit_code"]))
    assert reply.status_code == 409
    assert first["name"] in reply.json()["error"]["message"]


async def test_a_correction_is_checked_like_the_form_and_a_bad_one_changes_nothing(
    city: httpx.AsyncClient, build: Builder
) -> None:
    enterprise = await build.enterprise()
    path = f"/enterprises/{enterprise['ps_id']}"
    ok = await city.patch(path, json={"address": "河北省沧州市新华区永济路1号", "operator_name": None})
    assert ok.status_code == 200, ok.text
    assert ok.json()["address"] == "河北省沧州市新华区永济路1号" and ok.json()["operator_name"] is None
    bad = await city.patch(path, json={"latitude": 36.0, "postcode": "1"})
    assert bad.status_code == 422
    assert sorted(p["field"] for p in bad.json()["error"]["problems"]) == ["latitude", "postcode"]
    assert (await city.get(path)).json() == ok.json()


async def test_the_lifecycle_goes_planned_installing_networked_accepted_with_dates(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    path = f"/enterprises/{ps_id}/lifecycle"
    skipped = await city.post(path, json={"stage": "networked", "on": "2026-03-05"})
    assert skipped.status_code == 409 and "下一阶段只能是：安装中" in skipped.json()["error"]["message"]
    assert (await city.post(path, json={"stage": "installing", "on": "2026-03-05"})).status_code == 200
    backwards = await city.post(path, json={"stage": "networked", "on": "2026-03-01"})
    assert backwards.status_code == 422 and "早于上一阶段" in backwards.json()["error"]["problems"][0]["message"]
    assert (await city.post(path, json={"stage": "networked", "on": "2026-04-02"})).status_code == 200
    done = await city.post(path, json={"stage": "accepted", "on": "2026-05-10"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["stage"], body["install_date"], body["network_date"], body["acceptance_date"]) == (
        "accepted",
        "2026-03-05",
        "2026-04-02",
        "2026-05-10",
    )
