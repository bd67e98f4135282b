"""Security headers on every response of a service, over real HTTP; the role rule a route declares."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Response
from fbjd_core.app import create_service_app
from fbjd_core.auth import Role, RoleCheck, require_roles
from fbjd_core.security_headers import DEFAULT_CSP, DOCS_CSP, SecurityHeadersMiddleware
from fbjd_core.settings import BaseServiceSettings
from fbjd_testing.plugin import serve
from pydantic import SecretStr

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": DEFAULT_CSP,
}


@pytest.fixture(scope="module")
async def service() -> AsyncIterator[httpx.AsyncClient]:
    settings = BaseServiceSettings(jwt_secret=SecretStr("s"))
    app = create_service_app(settings=settings, prefix="demo", title="demo", description="headers", use_database=False)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_every_service_answer_carries_the_security_headers_and_no_hsts_on_plain_http(
    service: httpx.AsyncClient,
) -> None:
    for path in ("/api/demo/health", "/api/demo/nowhere"):
        reply = await service.get(path)
        assert {name: reply.headers.get(name) for name in EXPECTED} == EXPECTED, path
        assert "strict-transport-security" not in reply.headers


async def test_the_openapi_page_may_load_swagger_but_still_not_be_framed(service: httpx.AsyncClient) -> None:
    reply = await service.get("/api/demo/docs")
    assert reply.status_code == 200
    assert reply.headers["content-security-policy"] == DOCS_CSP
    assert "frame-ancestors 'none'" in DOCS_CSP and reply.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_only_the_site_itself_and_nothing_may_frame_it() -> None:
    directives = dict(part.strip().split(" ", 1) for part in DEFAULT_CSP.split(";"))
    for name in ("script-src", "style-src", "connect-src"):
        assert directives[name] == "'self'", name
    assert directives["img-src"].startswith("'self'")
    assert directives["frame-ancestors"] == "'none'"


async def test_behind_tls_hsts_is_sent_and_a_header_set_by_the_app_is_kept() -> None:
    app = FastAPI()

    @app.get("/page")
    async def page() -> Response:
        return Response("<p>web</p>", media_type="text/html", headers={"Content-Security-Policy": "default-src 'self'"})

    app.add_middleware(SecurityHeadersMiddleware, hsts=True)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        reply = await client.get("/page")
    assert reply.headers["strict-transport-security"].startswith("max-age=31536000")
    assert reply.headers.get_list("content-security-policy") == ["default-src 'self'"]
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_a_role_rule_tells_which_roles_it_lets_through_admin_always_included() -> None:
    check = require_roles(Role.CITY, Role.COUNTY)
    assert isinstance(check, RoleCheck)
    assert check.roles == frozenset({Role.CITY, Role.COUNTY, Role.ADMIN})
