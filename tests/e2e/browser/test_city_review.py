"""The city's review in the browser: a reviewer of the city bureau signs in, finds an abnormal record awaiting
review (市局审核) in the list, opens it, sees the evidence chart drawn, rejects it with an opinion, and sees the
enforcement task (执法任务) the rejection dispatched appear on the record."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from .conftest import OpenAs, screenshot

OPINION = "企业未在自查时限内说明原因，治理设施停运期间生产设施持续运行，转执法核查"


def test_a_city_reviewer_rejects_a_record_with_an_opinion_and_the_enforcement_task_appears(
    open_as: OpenAs, city_review_alarm: dict[str, Any]
) -> None:
    alarm_id = city_review_alarm["id"]
    page = open_as("city")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="异常记录").click()
    expect(page).to_have_url(re.compile(r"/alarms"))

    page.get_by_label("处置环节").select_option(label="市局审核")  # the list follows the filter (htmx)
    row = page.locator(f"#alarm-row-{alarm_id}")
    expect(row).to_contain_text("市局审核")
    expect(row).to_contain_text(city_review_alarm["production_facility_name"])
    row.get_by_role("link", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/alarms/{alarm_id}$"))

    chart = page.locator('.chart[data-chart="evidence-chart"]')
    expect(chart.locator("canvas").first).to_be_visible()  # ECharts has drawn into the chart element
    box = chart.locator("canvas").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150, box
    expect(page.locator("#rec-current-stage")).to_have_text("市局审核")
    screenshot(page, "record")

    page.get_by_label("审核意见（必填）").fill(OPINION)
    page.get_by_role("button", name="审核不通过（转执法核查）").click()

    expect(page.locator("#rec-message")).to_contain_text("已审核不通过")
    expect(page.locator("#rec-current-stage")).to_have_text("执法核查")
    expect(page.locator("#rec-task")).to_contain_text("执法任务")
    expect(page.locator("#rec-history")).to_contain_text(OPINION)
    expect(page.get_by_role("button", name="审核不通过（转执法核查）")).to_have_count(0)  # reviewed once only

    page.reload()  # what was shown is what was stored
    expect(page.locator("#rec-task")).to_contain_text("执法任务")
    page.locator("#rec-task").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]+$"))
    expect(page.locator("main")).to_contain_text(city_review_alarm["enterprise_name"])
