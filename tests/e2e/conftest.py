"""Boots the whole platform the way `make run` does (`fbjd run`), on free ports, against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fbjd_infra.booted import BootedPlatform, boot_platform

__all__ = ["Platform", "web_login"]

#: What the tests get: base_url, hj212_port, province_url, admin_password, admin_token(), token(user, pw).
Platform = BootedPlatform


@pytest.fixture(scope="session")
def platform(database_url: str) -> Iterator[Platform]:
    with boot_platform(database_url) as booted:
        yield booted


def web_login(browser: httpx.Client, username: str, password: str) -> httpx.Response:
    """Sign in on the web like a browser: open the login page (which sets the CSRF cookie), post the form."""
    browser.get("/login")
    return browser.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": browser.cookies["fbjd_csrf"]},
    )
