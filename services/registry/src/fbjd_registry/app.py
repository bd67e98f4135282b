"""The registry service: its one door is this HTTP API under /api/registry."""

from __future__ import annotations

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_registry.config import Settings


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings=settings,
        prefix="registry",
        title="fbjd registry",
        description="Enterprises, facilities, points, production↔treatment links, control plans, acceptance.",
    )


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_registry.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
