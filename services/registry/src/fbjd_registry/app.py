"""The registry service: its one door is this HTTP API under /api/registry."""

from __future__ import annotations

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_registry.acceptance.application.routes import router as application_router
from fbjd_registry.acceptance.report.routes import router as acceptance_report_router
from fbjd_registry.acceptance.review.routes import router as acceptance_review_router
from fbjd_registry.acceptance.routes import router as acceptance_router
from fbjd_registry.audit.routes import router as audit_router
from fbjd_registry.config import Settings
from fbjd_registry.control.routes import router as control_router
from fbjd_registry.demo import router as demo_router
from fbjd_registry.devices.routes import router as devices_router
from fbjd_registry.documents.routes import router as documents_router
from fbjd_registry.dossier.routes import router as dossier_router
from fbjd_registry.edge import finish
from fbjd_registry.enterprises.routes import router as enterprises_router
from fbjd_registry.facilities.routes import router as facilities_router
from fbjd_registry.labels.routes import router as labels_router
from fbjd_registry.links.routes import router as links_router
from fbjd_registry.points.routes import router as points_router
from fbjd_registry.pointtable.routes import router as pointtable_router
from fbjd_registry.regions.routes import router as regions_router
from fbjd_registry.topology.routes import router as topology_router
from fbjd_registry.validation import install_validation_handlers
from fbjd_registry.vendors.routes import router as vendors_router

__all__ = ["create_app", "main"]

ROUTERS = (
    regions_router,
    enterprises_router,
    facilities_router,
    points_router,
    links_router,
    topology_router,
    labels_router,
    audit_router,
    control_router,
    pointtable_router,
    devices_router,
    demo_router,
    acceptance_router,
    vendors_router,
    application_router,
    acceptance_review_router,
    acceptance_report_router,
    documents_router,
    dossier_router,
)


def create_app(settings: Settings) -> FastAPI:
    app = create_service_app(
        settings=settings,
        prefix="registry",
        title="fbjd registry",
        description="Enterprises, facilities, points, production↔treatment links, control plans, acceptance.",
        routers=ROUTERS,
    )
    install_validation_handlers(app)
    app.state.before_commit = finish
    return app


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_registry.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
