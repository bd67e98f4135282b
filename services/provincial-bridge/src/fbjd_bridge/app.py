"""The bridge service: its one door is this HTTP API under /api/bridge."""

from __future__ import annotations

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_bridge.config import Settings
from fbjd_bridge.county.routes import router as county_router
from fbjd_bridge.dispositions.routes import router as dispositions_router
from fbjd_bridge.forwarding.routes import router as forwarding_router
from fbjd_bridge.outbox.routes import router as outbox_router
from fbjd_bridge.read_api.routes import router as read_api_router
from fbjd_bridge.records.routes import router as records_router
from fbjd_bridge.runtime import lifespan
from fbjd_bridge.self_audit.routes import router as self_audit_router

__all__ = ["create_app", "main"]

ROUTERS = (
    records_router,
    dispositions_router,
    outbox_router,
    forwarding_router,
    read_api_router,
    self_audit_router,
    county_router,
)

DESCRIPTION = """\
The only service that talks to the provincial platform (省级平台).

Push (附件3): abnormal records from the rules service (POST /abnormals) go through an outbox to
`{FBJD_PROVINCE_BASE_URL}/pcom/ps/ex/join/abnormal` (treatment abnormal) and `/pcom/ps/ex/join/limit`
(stop, limit, off-peak), in order per enterprise, in batches, retried with back-off until accepted, never
twice as two records; invalid ones go to a dead-letter list. GET /status shows each endpoint's state.

Data upload: with FBJD_UPSTREAM_HJ212 (one or several upstreams: the province, county platforms) the readings
ingest stored are re-sent to each upstream as an HJ 212 stream, each packet acknowledged by a 9014, from a
cursor per upstream in ingest's commit order that survives outages and restarts (at least once, never
skipped; one upstream's outage holds back no other). GET /forwarding shows each upstream's state.

County platforms (role county, their own county's enterprises) push abnormal records to the city through the
province's interface: POST /pcom/ps/ex/join/abnormal | /limit, the same body and reply. Each record becomes a city
alarm (the workflow's intake, from an outbox); GET /county-reports lists them with their delivery.

Read API for the province (role province): /province/abnormals, /province/dispositions, /province/registry.
"""


def create_app(settings: Settings) -> FastAPI:
    app = create_service_app(
        settings=settings,
        prefix="bridge",
        title="fbjd bridge",
        description=DESCRIPTION,
        routers=ROUTERS,
        extra_lifespan=lifespan,
    )
    return app


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_bridge.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
