"""Real-browser tests: Debian's headless Chromium driven by Playwright for Python, against the platform that
tests/e2e/conftest.py boots (`platform`: the demo city, its accounts admin / city / county / enterprise with the
admin password, live simulated terminals).

Chromium is the system's (`/usr/bin/chromium`, installed by `make test` when missing), never a downloaded one:
the machines have no internet. Without it these tests fail and say how to install it; they do not skip.
Screenshots go to `.artifacts/screenshots/` at the repository root (named at the end of the run).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import now
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from ..conftest import Platform
from .abnormals import poll, send_stretch, stretch_on, wait_for_alarm

CHROMIUM = Path(os.environ.get("FBJD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".artifacts" / "screenshots"
STEP_TIMEOUT_MS = 15_000

#: A signed-in browser tab: open_as("city") → Page at the user's home, 1366×768 unless a viewport is given;
#: open_as("city", "/alarms") → at that page.
OpenAs = Callable[..., Page]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the screenshots are, so a person (or CI's artifact upload) can find them."""
    if SCREENSHOTS.is_dir() and (shots := sorted(SCREENSHOTS.glob("*.png"))):
        terminalreporter.write_line(f"browser screenshots ({len(shots)}): {SCREENSHOTS}")


@pytest.fixture(scope="session", autouse=True)
def chromium_binary() -> Path:
    """Debian's chromium, or a failure that says how to get it (autouse: before the platform is booted)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package. "
            "`make test` installs it when run as root; otherwise run "
            "`sudo apt-get install -y chromium fonts-noto-cjk` (or set FBJD_CHROMIUM to a Chromium binary).",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="package")
def playwright(chromium_binary: Path, platform: Platform) -> Iterator[Playwright]:
    """The driver, for this folder's tests only: while it runs, this thread counts as inside an event loop
    (so no asyncio.run here; the platform, booted first, and the other tests' loops are not disturbed)."""
    del chromium_binary, platform  # both in place before the driver starts: the platform's fixtures use asyncio.run
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright: Playwright, chromium_binary: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(chromium_binary), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def signed_in() -> dict[str, Any]:
    """Each user's cookies after their first sign-in through the form (later tabs reuse them, as a browser
    keeps its session: one password check per user instead of one per test)."""
    return {}


@pytest.fixture
def open_as(chromium: Browser, platform: Platform, signed_in: dict[str, Any]) -> Iterator[OpenAs]:
    """A signed-in user's tab at `path` (default: the role's home) in a fresh browser context, closed after the
    test. The first time a user is asked for, they sign in through the login form."""
    contexts = []

    def open_tab(username: str, path: str = "/", *, viewport: dict[str, int] | None = None) -> Page:
        context = chromium.new_context(
            base_url=platform.base_url,
            viewport=viewport or LAPTOP,
            locale="zh-CN",
            accept_downloads=True,
            storage_state=signed_in.get(username),
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if username not in signed_in:
            log_in(page, username, platform.admin_password)
            page.wait_for_url(lambda url: "/login" not in url)
            signed_in[username] = context.storage_state()
        if path != "/" or page.url == "about:blank":
            page.goto(path)
        return page

    yield open_tab
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str) -> None:
    """Fill in the login form as a person would (labels, the button)."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def screenshot(page: Page, name: str) -> Path:
    """The whole page as `.artifacts/screenshots/<name>-<width>x<height>.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or LAPTOP
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def admin_api(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.base_url, timeout=30) as api:
        api.headers["Authorization"] = f"Bearer {platform.admin_token()}"
        yield api


def _abnormal(
    api: httpx.Client, platform: Platform, *, hours_ago: int, facility_index: int = 0, ceramics_works: bool = True
) -> dict[str, Any]:
    """40 minutes of a terminal's data `hours_ago` (before the platform started, so the live simulator has not
    sent those minutes): production on, treatment off for minutes 10..29 (20 min ≥ 15 → one record); the
    workflow's alarm for it."""
    stretch = stretch_on(
        api,
        start=now() - timedelta(hours=hours_ago),
        minutes=40,
        off_from=10,
        off_to=30,
        ceramics_works=ceramics_works,
        facility_index=facility_index,
    )
    send_stretch(platform.hj212_port, stretch)
    return wait_for_alarm(api, stretch)


@pytest.fixture(scope="session")
def self_check_alarm(admin_api: httpx.Client, platform: Platform) -> dict[str, Any]:
    """An alarm of the ceramics works in its enterprise self-check (企业自查), its 30-minute window open."""
    alarm = _abnormal(admin_api, platform, hours_ago=5, facility_index=1)
    assert alarm["stage"] == "enterprise_check", alarm
    return alarm


@pytest.fixture(scope="session")
def other_enterprise_alarm(admin_api: httpx.Client, platform: Platform) -> dict[str, Any]:
    """An alarm of an enterprise other than the ceramics works (what the demo enterprise user must not see)."""
    return _abnormal(admin_api, platform, hours_ago=5, ceramics_works=False)


@pytest.fixture(scope="session")
def city_review_alarm(admin_api: httpx.Client, platform: Platform) -> dict[str, Any]:
    """An alarm of the ceramics works whose enterprise did not handle it in time: in city review (市局审核)."""
    alarm = _abnormal(admin_api, platform, hours_ago=6, facility_index=0)
    let_the_self_check_window_pass(platform.database_url, alarm["id"])

    def escalated() -> dict[str, Any] | None:
        detail = admin_api.get(f"/api/workflow/alarms/{alarm['id']}").raise_for_status().json()
        return dict(detail) if detail["stage"] == "city_review" else None

    return poll("the alarm escalated to the city", escalated, timeout_s=60)


_PASS_THE_WINDOW = """
UPDATE workflow.timers SET due_at = now()
 WHERE alarm_id = $1 AND kind = 'self_check_deadline' AND fired_at IS NULL AND cancelled_at IS NULL
"""


def let_the_self_check_window_pass(database_url: str, alarm_id: str) -> None:
    """The 30 minutes of self-check pass at once: the alarm's persistent deadline timer (the one the workflow's
    scheduler fires, every 5 s) is made due now, and so is the deadline it shows. Waiting half an hour is the
    only other way; the workflow's own tests move their clock instead."""

    async def move() -> str:
        connection = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            await connection.execute(
                "UPDATE workflow.alarms SET self_check_deadline = now() WHERE id = $1", uuid.UUID(alarm_id)
            )
            status: str = await connection.execute(_PASS_THE_WINDOW, uuid.UUID(alarm_id))
            return status
        finally:
            await connection.close()

    with ThreadPoolExecutor(1) as worker:  # its own event loop, away from the browser driver's thread
        status = worker.submit(asyncio.run, move()).result()
    assert status == "UPDATE 1", f"the alarm's self-check deadline timer: {status}"
