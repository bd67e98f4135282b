"""The workflow service: its one door is this HTTP API under /api/workflow."""

from __future__ import annotations

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_workflow.config import Settings


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings=settings,
        prefix="workflow",
        title="fbjd workflow",
        description="Alarm disposition, declarations, SLA timers, enforcement tasks and inspection records.",
    )


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_workflow.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
