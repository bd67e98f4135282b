"""Reading the province's replies: accepted, the province's trouble (retry), or the records' fault."""

from __future__ import annotations

import json

import pytest
from fbjd_bridge.errors import ProvinceRejected, ProvinceUnavailable
from fbjd_bridge.province.replies import names_a_field, read_reply


def test_success_true_is_accepted() -> None:
    assert read_reply(200, json.dumps({"success": True, "msg": "成功接收2条"})) == "成功接收2条"


@pytest.mark.parametrize(
    "msg",
    ["第2条记录 exTimeEnd：须晚于 exTimeStart", "psId 不存在", "treatmentAmmeterThreshold须为数值字符串"],
)
def test_success_false_naming_a_field_rejects_the_records(msg: str) -> None:
    with pytest.raises(ProvinceRejected) as caught:
        read_reply(200, json.dumps({"success": False, "msg": msg}, ensure_ascii=False))
    assert msg in (caught.value.reply or "")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, json.dumps({"success": False, "msg": "系统繁忙，请稍后再试"}, ensure_ascii=False)),
        (500, "Internal Server Error"),
        (503, json.dumps({"success": False, "msg": "psId 服务维护"})),  # a 5xx is never the records' fault
        (200, "<html>gateway</html>"),
        (200, json.dumps({"ok": True})),
        (404, "not found"),
        (401, json.dumps({"success": False})),
    ],
)
def test_everything_else_is_the_provinces_trouble(status: int, body: str) -> None:
    with pytest.raises(ProvinceUnavailable):
        read_reply(status, body)


def test_field_names_are_matched_whole() -> None:
    assert names_a_field("treatmentAmmeterIds 有重复") == "treatmentAmmeterIds"
    assert names_a_field("treatmentAmmeterId 缺失") == "treatmentAmmeterId"
    assert names_a_field("mypsIdx") is None
    assert names_a_field("系统繁忙") is None
