"""The enterprise in the browser: the ceramics works' user handles its abnormal record within the self-check
window (企业自查, 30 minutes), and cannot open another enterprise's pages by typing their address."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from .conftest import OpenAs

HANDLING = "喷雾干燥塔布袋除尘器引风机跳闸，已复位并恢复运行，附检修记录"


def test_the_enterprise_handles_its_record_within_the_self_check_window(
    open_as: OpenAs, self_check_alarm: dict[str, Any]
) -> None:
    alarm_id = self_check_alarm["id"]
    page = open_as("enterprise")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="异常处置").click()
    expect(page).to_have_url(re.compile(r"/my/alarms"))

    row = page.locator(f"#alarm-row-{alarm_id}")
    expect(row).to_contain_text("企业自查")
    expect(row).to_contain_text("剩余")  # the time left to handle it
    row.get_by_role("link", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/my/alarms/{alarm_id}$"))
    expect(page.locator("#rec-countdown")).to_contain_text("剩余")

    handling = page.locator("#handle-form")  # the self-check form (the after-declaration one also asks 原因)
    handling.get_by_label("原因").select_option(label="设备故障")
    handling.get_by_label("情况说明（必填）").fill(HANDLING)
    handling.get_by_role("button", name="提交自查处理").click()

    expect(page.locator("#rec-current-stage")).to_have_text("企业已处理")
    expect(page.locator("#rec-history")).to_contain_text(HANDLING)
    expect(page.get_by_role("button", name="提交自查处理")).to_have_count(0)
    page.reload()
    expect(page.locator("#rec-current-stage")).to_have_text("企业已处理")


def test_the_enterprise_cannot_open_another_enterprises_pages_by_typing_the_address(
    open_as: OpenAs, admin_api: httpx.Client, other_enterprise_alarm: dict[str, Any]
) -> None:
    other_ps_id, other_name = other_enterprise_alarm["ps_id"], other_enterprise_alarm["enterprise_name"]
    me = open_as("enterprise")
    typed = [
        f"/enterprises/{other_ps_id}",
        f"/my/alarms/{other_enterprise_alarm['id']}",
        f"/alarms/{other_enterprise_alarm['id']}",
    ]
    for address in typed:
        answer = me.goto(address)
        assert answer is not None and answer.status in (403, 404), f"{address}: {answer and answer.status}"
        expect(me.locator("main")).not_to_contain_text(other_name)
    # the same addresses do open for the city: the refusal is about who asks, not a broken page
    assert admin_api.get(f"/api/registry/enterprises/{other_ps_id}").status_code == 200
    city = open_as("city")
    answer = city.goto(f"/enterprises/{other_ps_id}")
    assert answer is not None and answer.status == 200
    expect(city.locator("main")).to_contain_text(other_name)
