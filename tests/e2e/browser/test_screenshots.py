"""Screenshots of the main pages, as test artifacts (`.artifacts/screenshots/`): each page opens for its user
without an error, at 1366×768 (a bureau laptop) and the overview also at 768×1024 (a tablet), where the page
must not need sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import TABLET, OpenAs, screenshot

STAFF_PAGES = {
    "overview": "/overview",
    "records": "/alarms",
    "statistics": "/statistics",
    "control": "/control",
    "enterprises": "/enterprises",
    "bridge": "/bridge",
}


def _opens(page: Page, path: str) -> None:
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, f"{path}: {answer and answer.status}"
    page.wait_for_load_state("networkidle")
    expect(page.locator("main h2").first).to_be_visible()


def test_the_main_pages_of_the_city_open_and_are_kept_as_screenshots(
    open_as: OpenAs, self_check_alarm: dict[str, Any]
) -> None:
    page = open_as("city")
    shots = []
    for name, path in STAFF_PAGES.items():
        _opens(page, path)
        shots.append(screenshot(page, name))
    _opens(page, f"/enterprises/{self_check_alarm['ps_id']}")
    shots.append(screenshot(page, "enterprise"))
    assert all(shot.stat().st_size > 10_000 for shot in shots), shots


def test_the_enterprise_self_service_home_opens_and_is_kept_as_a_screenshot(open_as: OpenAs) -> None:
    page = open_as("enterprise")
    _opens(page, "/my")
    assert screenshot(page, "self-service").stat().st_size > 10_000


@pytest.mark.parametrize("path", ["/overview", "/alarms"])
def test_a_page_fits_a_tablet_without_sideways_scrolling(open_as: OpenAs, path: str) -> None:
    page = open_as("city", viewport=TABLET)
    _opens(page, path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, f"tablet-{path.strip('/')}")
    assert overflow <= 0, f"{path} is {overflow} px wider than a tablet"
