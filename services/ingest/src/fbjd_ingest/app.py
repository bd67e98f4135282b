"""The ingest service: its one door is this HTTP API under /api/ingest; beside it, the HJ 212 TCP server."""

from __future__ import annotations

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_ingest.commands.routes import router as commands_router
from fbjd_ingest.config import Settings
from fbjd_ingest.consumption.routes import router as consumption_router
from fbjd_ingest.devices.routes import router as devices_router
from fbjd_ingest.overview.routes import router as overview_router
from fbjd_ingest.points.routes import router as points_router
from fbjd_ingest.quarantine.routes import router as quarantine_router
from fbjd_ingest.rates.routes import router as rates_router
from fbjd_ingest.readings.routes import router as readings_router
from fbjd_ingest.runtime import runtime_lifespan
from fbjd_ingest.security.routes import router as security_router

__all__ = ["create_app", "main"]


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings=settings,
        prefix="ingest",
        title="fbjd ingest",
        description=(
            "HJ 212 TCP server (port FBJD_HJ212_PORT) and HTTP API: devices (MN, password, online state), "
            "received data, quarantine, transmission rates, center commands; for pages and statistics: power "
            "curves and live state of points, consumption rollups (day / month / year), overview figures."
        ),
        routers=[
            devices_router,
            readings_router,
            points_router,
            consumption_router,
            overview_router,
            rates_router,
            commands_router,
            quarantine_router,
            security_router,
        ],
        extra_lifespan=runtime_lifespan(settings),
    )


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_ingest.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
