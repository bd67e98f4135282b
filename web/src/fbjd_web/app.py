"""The web app: a BFF that renders pages from the services' APIs, called through the gateway
with the signed-in user's own token (so the gateway and the services enforce that user's scope)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fbjd_core.logging import configure_logging
from fbjd_core.security_headers import DEFAULT_CSP, SecurityHeadersMiddleware

from fbjd_web.config import Settings
from fbjd_web.csrf import CSRF_COOKIE, CsrfRefused, verify_csrf
from fbjd_web.gateway import ApiRefused, Forbidden, NotVisible, SignedOut
from fbjd_web.pages import ROUTERS
from fbjd_web.session import keep_alive
from fbjd_web.templating import TEMPLATES

__all__ = ["create_app", "main"]

HERE = Path(__file__).parent
GATEWAY_TIMEOUT = httpx.Timeout(15.0, connect=3.0)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # users' cookies never mix
        async with httpx.AsyncClient(
            base_url=settings.gateway_url, timeout=GATEWAY_TIMEOUT, limits=limits, cookies=no_cookies
        ) as http:
            app.state.http = http
            yield

    app = FastAPI(
        title="fbjd web",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)

    @app.middleware("http")
    async def session_cookies(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Give every browser its CSRF token cookie; keep an active user's session alive (idle time-out)."""
        response = await call_next(request)
        token = getattr(request.state, "csrf_token", None)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.behind_tls)
        await keep_alive(request, response)
        return response

    # Outermost: every answer, error pages included, carries the headers (CSP: scripts and styles from 'self').
    app.add_middleware(SecurityHeadersMiddleware, csp=DEFAULT_CSP, hsts=settings.behind_tls)
    return app


def _add_error_pages(app: FastAPI) -> None:
    """API refusals become pages: 404 for what the user may not see, 403, the service's message for a 4xx."""

    @app.exception_handler(NotVisible)
    async def not_visible(request: Request, _exc: NotVisible) -> Response:
        return TEMPLATES.TemplateResponse(request, "not_found.html", {}, status_code=404)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return TEMPLATES.TemplateResponse(request, "forbidden.html", {}, status_code=403)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        context = {"message": "页面已过期或请求来源不明，请刷新页面后重试。"}
        return TEMPLATES.TemplateResponse(request, "forbidden.html", context, status_code=403)

    @app.exception_handler(ApiRefused)
    async def refused(request: Request, exc: ApiRefused) -> Response:
        return TEMPLATES.TemplateResponse(request, "refused.html", {"error": exc}, status_code=exc.status)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _exc: SignedOut) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)


def main() -> FastAPI:
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
