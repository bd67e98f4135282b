"""The gateway: `/api/auth/...` itself, `/api/<service>/...` routed to the services, `/` to the web app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fbjd_core.auth import Role, bearer_token, decode_token
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.errors import Forbidden, NotFound, Unauthorized, install_error_handlers
from fbjd_core.logging import configure_logging
from fbjd_core.security_headers import SecurityHeadersMiddleware

from fbjd_gateway.accounts import ensure_account
from fbjd_gateway.audit_routes import router as audit_router
from fbjd_gateway.config import Settings
from fbjd_gateway.proxy import forward
from fbjd_gateway.routes import router as auth_router
from fbjd_gateway.routing import SERVICES, allowed_roles, service_of

__all__ = ["create_app", "is_public", "main"]

log = logging.getLogger(__name__)
PUBLIC_SUFFIXES = ("/health", "/openapi.json", "/docs")


def is_public(path: str, service: str) -> bool:
    """Only a service's own health and OpenAPI pages pass without a token (not any path ending like them)."""
    return path in {f"/api/{service}{suffix}" for suffix in PUBLIC_SUFFIXES}


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.require_database_url())
        app.state.sessionmaker = make_sessionmaker(engine)
        # A proxy, not a browser: it must never keep a Set-Cookie of one user and send it with another's request.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        # Keep as many connections alive as the web and busy clients hold open at once: httpx's default of 20
        # closes the rest after each answer, and reopening them showed in the gateway's profile under load.
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=3.0), cookies=no_cookies, limits=limits)
        # The one default account, `admin`, exists only in demo mode (`fbjd run`); a deployment creates its own.
        if settings.demo and settings.admin_password is not None:
            async with app.state.sessionmaker.begin() as session:
                await ensure_account(
                    session, username="admin", password=settings.admin_password.get_secret_value(), role=Role.ADMIN
                )
        try:
            yield
        finally:
            await app.state.http.aclose()
            await engine.dispose()

    app = FastAPI(
        title="fbjd gateway",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/api/auth/openapi.json",
        docs_url="/api/auth/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.behind_tls)
    app.include_router(auth_router)
    app.include_router(audit_router)

    @app.get("/api/auth/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.api_route(
        "/api/{service}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def route_to_service(request: Request, service: str) -> Response:
        """Role check (first line of defence), then forward; the service checks role and scope again."""
        if service_of(request.url.path) is None:
            raise NotFound(f"no service answers {request.url.path}")
        if not is_public(request.url.path, service):
            token = bearer_token(request)
            if token is None:
                raise Unauthorized("missing bearer token: obtain one at POST /api/auth/token")
            principal = decode_token(token, secret=settings.jwt_secret.get_secret_value())
            if principal.role not in allowed_roles(request.url.path):
                raise Forbidden(f"role {principal.role.value!r} may not reach {request.url.path}")
        base_url: str = getattr(settings, SERVICES[service])
        return await forward(app.state.http, base_url, request)

    @app.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def route_to_web(request: Request) -> Response:
        return await forward(app.state.http, settings.web_url, request)

    return app


def main() -> FastAPI:
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
