"""Boots the whole platform the way `make run` does (`fbjd run`), on free ports, on a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fbjd_infra.booted import BootedPlatform, boot_platform
from fbjd_testing.plugin import own_database

__all__ = ["Platform", "web_login"]

#: What the tests get: base_url, hj212_port, province_url, admin_password, admin_token(), token(user, pw).
Platform = BootedPlatform
#: What a failed run prints of the platform log (CI keeps only its output): lines at these levels, the last
#: LOG_LINES_ON_FAILURE of them.
PROBLEM_LEVELS = ("level=warning", "level=error", "level=critical")
LOG_LINES_ON_FAILURE = 60


@pytest.fixture(scope="session")
def platform(database_url: str, request: pytest.FixtureRequest) -> Iterator[Platform]:
    """The platform on a database of its own: the demo city and nothing the other tests of the session left (their
    enterprises would be picked as "another enterprise", with no registry history at the hours the tests use)."""
    with own_database(database_url, "fbjd_e2e") as url, boot_platform(url) as booted:
        yield booted
        if request.session.testsfailed:
            _print_log_problems(request.config, booted.log_path)


def _print_log_problems(config: pytest.Config, log_path: Path) -> None:
    """The platform's own account of a failed run: its last warnings and errors, past pytest's capture."""
    problems = _problems(log_path.read_text(errors="replace").splitlines())
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.write_sep("-", f"platform log: last {LOG_LINES_ON_FAILURE} of {len(problems)} lines of its problems")
    for line in problems[-LOG_LINES_ON_FAILURE:]:
        reporter.write_line(line[:400])


def _problems(lines: list[str]) -> list[str]:
    """Warning and error lines, and each traceback whole (until the next structured line)."""
    kept, in_traceback = [], False
    for line in lines:
        in_traceback = "Traceback" in line or (in_traceback and "level=" not in line)
        if in_traceback or any(level in line for level in PROBLEM_LEVELS):
            kept.append(line)
    return kept


def web_login(browser: httpx.Client, username: str, password: str) -> httpx.Response:
    """Sign in on the web like a browser: open the login page (which sets the CSRF cookie), post the form."""
    browser.get("/login")
    return browser.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": browser.cookies["fbjd_csrf"]},
    )
