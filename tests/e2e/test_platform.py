"""`fbjd run` end to end: one public port, the demo admin, every room reachable, live simulated terminals."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from fbjd_core.auth import Principal, Role, issue_token, token_expiry
from fbjd_core.time import now

from .conftest import Platform, web_login

SERVICES = ("registry", "ingest", "rules", "workflow", "bridge")


def test_the_demo_admin_logs_in_at_the_one_public_port(platform: Platform) -> None:
    token = platform.admin_token()
    assert token.count(".") == 2


def test_a_wrong_demo_password_is_refused(platform: Platform) -> None:
    reply = httpx.post(f"{platform.base_url}/api/auth/token", data={"username": "admin", "password": "nope"})
    assert reply.status_code == 401


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_answers_through_the_gateway_over_http(platform: Platform, service: str) -> None:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    reply = httpx.get(f"{platform.base_url}/api/{service}/health", headers=headers)
    assert reply.status_code == 200
    assert reply.json()["service"] == service


def test_the_web_app_is_served_at_the_root_in_chinese(platform: Platform) -> None:
    reply = httpx.get(f"{platform.base_url}/", follow_redirects=True)
    assert reply.status_code == 200
    assert "登录" in reply.text


def test_simulated_terminals_report_and_show_as_online_devices(platform: Platform) -> None:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    deadline = time.monotonic() + 60
    online: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        devices = httpx.get(f"{platform.base_url}/api/ingest/devices", headers=headers).json()
        online = [d for d in devices if d.get("online")]
        if len(online) >= 4:
            break
        time.sleep(1)
    assert len(online) >= 4, devices
    mn = online[0]["mn"]
    data = httpx.get(f"{platform.base_url}/api/ingest/devices/{mn}/data", headers=headers)
    assert data.status_code == 200
    assert data.json(), "an online terminal has stored readings"


def test_staff_sign_in_on_the_web_and_see_terminals_and_abnormal_records(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, follow_redirects=True) as browser:
        refused = web_login(browser, "admin", "wrong")
        assert refused.status_code == 401 and "用户名或密码错误" in refused.text
        home = web_login(browser, "admin", platform.admin_password)
        assert home.status_code == 200 and home.url.path == "/overview", "the city's home is the overview"
        devices = browser.get("/devices")
        assert "在线" in devices.text, "the demo city's simulated terminals show as online"
        alarms = browser.get("/alarms")
        assert alarms.status_code == 200 and "异常记录" in alarms.text
        fragment = browser.get("/alarms", headers={"HX-Request": "true"})
        assert fragment.text.startswith('<table id="alarms"'), "htmx polling gets the table alone"
        forged = browser.post("/logout", data={"csrf_token": "not-the-cookie's"})
        assert forged.status_code == 403, "a form without the browser's CSRF token is refused"
        browser.post("/logout", data={"csrf_token": browser.cookies["fbjd_csrf"]})
        assert browser.get("/").url.path == "/login"


def test_a_labels_qr_code_opens_the_points_page_with_the_registrys_data(platform: Platform) -> None:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    devices = httpx.get(f"{platform.base_url}/api/registry/devices", headers=headers).json()
    point = devices[0]["points"][0]
    with httpx.Client(base_url=platform.base_url, follow_redirects=True) as browser:
        web_login(browser, "admin", platform.admin_password)
        page = browser.get(f"/points/{point['point_id']}")
        assert page.status_code == 200
        assert point["name"] in page.text and devices[0]["mn"] in page.text and point["factor_code"] in page.text
        missing = browser.get("/points/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and "未找到" in missing.text


def test_an_active_users_session_is_renewed_before_its_idle_time_out_and_pages_carry_security_headers(
    platform: Platform,
) -> None:
    secret = (platform.log_path.parent / "jwt-secret").read_text().strip()
    admin = Principal(subject="admin", role=Role.ADMIN)
    ttl = timedelta(minutes=30)
    with httpx.Client(base_url=platform.base_url) as browser:
        fresh = issue_token(admin, secret=secret, ttl=ttl)
        browser.cookies.set("fbjd_token", fresh)
        assert "fbjd_token" not in browser.get("/devices").cookies, "a fresh token is left alone"

        aging = issue_token(admin, secret=secret, ttl=ttl, issued_at=now() - timedelta(minutes=20))
        browser.cookies.set("fbjd_token", aging)
        page = browser.get("/devices")
        assert page.status_code == 200
        renewed = page.cookies.get("fbjd_token")
        assert renewed and renewed != aging, "past half its life, the token is refreshed at the gateway"
        assert token_expiry(renewed, secret=secret) - now() > timedelta(minutes=25)
        assert "max-age=1800" in page.headers["set-cookie"].lower(), "the cookie lives as long as the idle time-out"
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and page.headers["x-frame-options"] == "DENY"


def test_one_users_sign_in_never_reaches_another_browser_through_the_gateway(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url) as first, httpx.Client(base_url=platform.base_url) as second:
        assert web_login(first, "admin", platform.admin_password).status_code == 303
        stranger = second.get("/overview")
        assert stranger.status_code == 303 and stranger.headers["location"] == "/login", "no session of another"
        second.get("/login")
        assert second.cookies["fbjd_csrf"] != first.cookies["fbjd_csrf"], "each browser its own CSRF token"
