"""The web app: a BFF that renders pages from the services' APIs, called through the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from fbjd_core.http import service_client
from fbjd_core.logging import configure_logging

from fbjd_web.config import Settings

__all__ = ["create_app", "main"]

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
COOKIE = "fbjd_token"


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="fbjd web", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if not token:
            return RedirectResponse("/login", status_code=303)
        async with service_client(settings.gateway_url, token=token) as client:
            devices = await client.get("/api/ingest/devices")
        if devices.status_code == 401:
            return RedirectResponse("/login", status_code=303)
        rows = devices.json() if devices.status_code == 200 else []
        return TEMPLATES.TemplateResponse(request, "home.html", {"devices": rows})

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
        async with service_client(settings.gateway_url) as client:
            reply = await client.post("/api/auth/token", data={"username": username, "password": password})
        if reply.status_code != 200:
            message = reply.json().get("error", {}).get("message", "登录失败")
            return TEMPLATES.TemplateResponse(request, "login.html", {"error": message}, status_code=401)
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
