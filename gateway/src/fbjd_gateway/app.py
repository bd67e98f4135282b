"""The gateway: `POST /api/auth/token`, `/api/<service>/...` routed to the services, `/` to the web app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import Response
from fbjd_core.auth import Role, bearer_token, decode_token, issue_token
from fbjd_core.db import SessionDep, make_engine, make_sessionmaker
from fbjd_core.errors import FbjdError, Forbidden, NotFound, Unauthorized, install_error_handlers
from fbjd_core.logging import configure_logging
from pydantic import BaseModel

from fbjd_gateway.accounts import authenticate, ensure_account
from fbjd_gateway.config import Settings
from fbjd_gateway.proxy import forward
from fbjd_gateway.routing import SERVICES, allowed_roles, service_of

__all__ = ["create_app", "main"]

log = logging.getLogger(__name__)
PUBLIC_SUFFIXES = ("/health", "/openapi.json", "/docs")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str


class UnsupportedGrant(FbjdError):
    code, status = "unsupported_grant_type", 400


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.require_database_url())
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=3.0))
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

    @app.get("/api/auth/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.post("/api/auth/token", response_model=TokenResponse, tags=["auth"])
    async def token(
        session: SessionDep,
        grant_type: Annotated[str, Form()] = "password",
        username: Annotated[str | None, Form()] = None,
        password: Annotated[str | None, Form()] = None,
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> TokenResponse:
        """OAuth2 token endpoint: `password` grant for people, `client_credentials` for machine clients."""
        if grant_type == "password":
            name, secret, machine = username, password, False
        elif grant_type == "client_credentials":
            name, secret, machine = client_id, client_secret, True
        else:
            raise UnsupportedGrant(f"grant_type {grant_type!r} is not supported (password, client_credentials)")
        if not name or not secret:
            raise Unauthorized("credentials missing")
        try:
            principal = await authenticate(
                session,
                username=name,
                password=secret,
                machine=machine,
                max_failures=settings.max_failed_logins,
                lockout=timedelta(minutes=settings.lockout_minutes),
            )
        except FbjdError:
            await session.commit()  # keep the failure count even though the login is refused
            raise
        ttl = timedelta(minutes=settings.jwt_ttl_minutes)
        access = issue_token(principal, secret=settings.jwt_secret.get_secret_value(), ttl=ttl)
        return TokenResponse(access_token=access, expires_in=int(ttl.total_seconds()), role=principal.role.value)

    @app.api_route(
        "/api/{service}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def route_to_service(request: Request, service: str) -> Response:
        if service_of(request.url.path) is None:
            raise NotFound(f"no service answers {request.url.path}")
        if not request.url.path.endswith(PUBLIC_SUFFIXES):
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
