"""Signing in, in a real browser: a wrong password is refused with a message; a form posted without the page's
CSRF token (its hidden field removed, or a form on another site) is refused with 403 and signs no one in."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from ..conftest import Platform
from .conftest import LAPTOP, OpenAs, log_in


def _fresh_tab(chromium: Browser, platform: Platform) -> Page:
    context = chromium.new_context(base_url=platform.base_url, viewport=LAPTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def _an_account(admin_api: httpx.Client) -> dict[str, Any]:
    """A city account of its own, so that failed logins here lock no one the other tests sign in as."""
    body = {"username": f"browser-{secrets.token_hex(4)}", "password": f"Initial-{secrets.token_urlsafe(9)}-1a"}
    made = admin_api.post("/api/auth/accounts", json={**body, "role": "city"})
    assert made.status_code == 201, made.text
    return body


def test_a_wrong_password_is_refused_with_a_message_and_no_session(
    chromium: Browser, platform: Platform, admin_api: httpx.Client
) -> None:
    account = _an_account(admin_api)
    page = _fresh_tab(chromium, platform)
    try:
        log_in(page, account["username"], account["password"] + "x")
        expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
        assert page.url.endswith("/login")
        assert not [c for c in page.context.cookies() if c["name"] == "fbjd_token"], "no session cookie"
    finally:
        page.context.close()


def test_a_login_form_without_its_csrf_token_is_refused_with_403(chromium: Browser, platform: Platform) -> None:
    page = _fresh_tab(chromium, platform)
    try:
        page.goto("/login")
        page.locator("input[name=csrf_token]").evaluate("field => field.remove()")
        page.get_by_label("用户名").fill("city")
        page.get_by_label("密码").fill(platform.admin_password)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="登录").click()
        answer = navigation.value
        assert answer is not None and answer.status == 403
        expect(page.locator("main")).to_contain_text("页面已过期或请求来源不明")
        assert not [c for c in page.context.cookies() if c["name"] == "fbjd_token"], "the right password was not enough"
    finally:
        page.context.close()


def test_a_form_posted_from_another_site_is_refused_even_with_the_right_password(
    chromium: Browser, platform: Platform
) -> None:
    """Login CSRF: a page elsewhere posts the login form with a made-up token; the browser does not send the
    SameSite=Strict CSRF cookie along, so the web app refuses it before the password is looked at."""
    page = _fresh_tab(chromium, platform)
    try:
        page.goto("/login")  # this browser has the platform's CSRF cookie, as a returning user would
        forged = (
            f'<form method="post" action="{platform.base_url}/login">'
            '<input name="csrf_token" value="forged"><input name="username" value="city">'
            f'<input name="password" value="{platform.admin_password}"><button>go</button></form>'
        )
        page.goto("about:blank")
        page.set_content(forged)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="go").click()
        answer = navigation.value
        assert answer is not None and answer.status == 403
        assert not [c for c in page.context.cookies() if c["name"] == "fbjd_token"]
    finally:
        page.context.close()


def test_a_signed_in_user_lands_on_the_home_of_their_role(open_as: OpenAs) -> None:
    assert open_as("city").url.endswith("/overview")
    assert open_as("enterprise").url.endswith("/my")


def test_a_visitor_who_has_not_signed_in_is_sent_to_login_even_after_others_have(
    open_as: OpenAs, chromium: Browser, platform: Platform
) -> None:
    """Nobody's session reaches another browser: after the city has signed in, a fresh browser opening the
    overview is sent to the login page and gets a CSRF token of its own."""
    city = open_as("city")
    expect(city.locator("header")).to_contain_text("city")
    page = _fresh_tab(chromium, platform)
    try:
        page.goto("/overview")
        expect(page).to_have_url(f"{platform.base_url}/login")
        assert not page.locator("header nav").count(), "no navigation for a visitor"
        mine = {c["name"]: c["value"] for c in page.context.cookies()}
        theirs = {c["name"]: c["value"] for c in city.context.cookies()}
        assert "fbjd_token" not in mine
        assert mine.get("fbjd_csrf") and mine["fbjd_csrf"] != theirs.get("fbjd_csrf"), "a CSRF token of its own"
    finally:
        page.context.close()
