"""The web app: a BFF that renders pages from the services' APIs, called through the gateway
with the signed-in user's own token (so the gateway and the services enforce that user's scope)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fbjd_core.http import service_client
from fbjd_core.logging import configure_logging
from fbjd_core.time import to_cst

from fbjd_web.config import Settings

__all__ = ["create_app", "main"]

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")


def _cst(value: str | None) -> str:
    """An ISO UTC timestamp from an API → China Standard Time wall clock, as staff read it."""
    if not value:
        return "—"
    return to_cst(datetime.fromisoformat(value.replace("Z", "+00:00"))).strftime("%Y-%m-%d %H:%M")


TEMPLATES.env.filters["cst"] = _cst
COOKIE = "fbjd_token"


class SignedOut(Exception):
    """The gateway refused the user's token (expired or missing): back to the login page."""


class NotVisible(Exception):
    """The API answered 404: it does not exist, or not for this user (scopes answer like a missing thing)."""


async def _get(settings: Settings, request: Request, path: str) -> Any:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignedOut
    async with service_client(settings.gateway_url, token=token) as client:
        reply = await client.get(path)
    if reply.status_code == 401:
        raise SignedOut
    if reply.status_code == 404:
        raise NotVisible
    reply.raise_for_status()
    return reply.json()


# page path → (API path through the gateway, template variable, page template, fragment template).
# The page polls itself with htmx; an htmx request gets the fragment alone (the table), a browser the whole page.
LIVE_LISTS: dict[str, tuple[str, str, str, str]] = {
    "/": ("/api/ingest/devices", "devices", "home.html", "_devices.html"),
    "/alarms": ("/api/workflow/alarms?order=newest&limit=200", "alarms", "alarms.html", "_alarms.html"),
}


def _list_view(
    settings: Settings, api_path: str, key: str, page: str, fragment: str
) -> Callable[[Request], Awaitable[Response]]:
    async def view(request: Request) -> Response:
        rows = await _get(settings, request, api_path)
        template = fragment if request.headers.get("hx-request") else page
        return TEMPLATES.TemplateResponse(request, template, {key: rows})

    return view


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="fbjd web", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(NotVisible)
    async def not_visible(request: Request, _exc: NotVisible) -> Response:
        return TEMPLATES.TemplateResponse(request, "not_found.html", {}, status_code=404)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _exc: SignedOut) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    for path, (api_path, key, page, fragment) in LIVE_LISTS.items():
        app.add_api_route(path, _list_view(settings, api_path, key, page, fragment), response_class=HTMLResponse)

    @app.get("/points/{point_id}", response_class=HTMLResponse)
    async def point(request: Request, point_id: uuid.UUID) -> Response:
        """The page an on-site label's QR code opens: the point as the registry has it (same data as the label)."""
        found = await _get(settings, request, f"/api/registry/points/{point_id}")
        return TEMPLATES.TemplateResponse(request, "point.html", {"point": found})

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
        async with service_client(settings.gateway_url) as client:
            try:
                reply = await client.post("/api/auth/token", data={"username": username, "password": password})
            except httpx.TransportError:
                return TEMPLATES.TemplateResponse(request, "login.html", {"error": "认证服务暂不可用"}, status_code=503)
        if reply.status_code != 200:
            messages = {401: "用户名或密码错误", 423: "账号已锁定，请稍后再试"}
            error = messages.get(reply.status_code, "登录失败")
            return TEMPLATES.TemplateResponse(request, "login.html", {"error": error}, status_code=reply.status_code)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, reply.json()["access_token"], httponly=True, samesite="strict")
        return response

    @app.post("/logout")
    async def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return app


def main() -> FastAPI:
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
