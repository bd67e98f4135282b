"""The shape every service's FastAPI app shares: one engine per process, error handlers, health.

A service's own `create_app` calls `create_service_app` with its routers and, if it runs
something beside HTTP (the ingest service's TCP server), a lifespan hook of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI

from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.errors import install_error_handlers
from fbjd_core.security_headers import SecurityHeadersMiddleware
from fbjd_core.settings import BaseServiceSettings

__all__ = ["ExtraLifespan", "create_service_app"]

ExtraLifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    settings: BaseServiceSettings,
    prefix: str,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    extra_lifespan: ExtraLifespan | None = None,
    use_database: bool = True,
    hsts: bool = False,
) -> FastAPI:
    """A FastAPI app serving `/api/{prefix}/...`, with `app.state.settings` and `app.state.sessionmaker`.

    Every response carries the security headers (`fbjd_core.security_headers`); `hsts` adds
    Strict-Transport-Security, for a service a browser reaches over TLS directly rather than via the gateway.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.require_database_url()) if use_database else None
        if engine is not None:
            app.state.engine = engine
            app.state.sessionmaker = make_sessionmaker(engine)
        try:
            if extra_lifespan is None:
                yield
            else:
                async with extra_lifespan(app):
                    yield
        finally:
            if engine is not None:
                await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"/api/{prefix}/openapi.json",
        docs_url=f"/api/{prefix}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, hsts=hsts)

    @app.get(f"/api/{prefix}/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": prefix}

    for router in routers:
        app.include_router(router, prefix=f"/api/{prefix}")
    return app
