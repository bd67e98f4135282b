"""The workflow service: its one door is this HTTP API under /api/workflow."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fbjd_core.app import create_service_app
from fbjd_core.logging import configure_logging

from fbjd_workflow.alarms.routes import router as alarms_router
from fbjd_workflow.audit.routes import router as audit_router
from fbjd_workflow.config import Settings
from fbjd_workflow.declarations.routes import router as declarations_router
from fbjd_workflow.enforcement.routes import router as enforcement_router
from fbjd_workflow.files.routes import router as files_router
from fbjd_workflow.maintenance.routes import router as maintenance_router
from fbjd_workflow.runtime import lifespan
from fbjd_workflow.stats.routes import router as stats_router

__all__ = ["create_app", "main"]

ROUTERS = (
    alarms_router,
    audit_router,
    declarations_router,
    files_router,
    enforcement_router,
    maintenance_router,
    stats_router,
)

DESCRIPTION = """\
Alarm disposition (异常报警处置, 附件4): enterprise self-check → city review → mobile enforcement;
pre- and after-declarations; persistent SLA timers; enforcement tasks and inspection records; maintenance
tickets (运维工单) from the rules' device and data findings; hash-chained, verifiable histories.

Mobile enforcement system: the task API under /api/workflow/tasks (role `enforcement`), schemas
`fbjd.task/v1` and `fbjd.inspection/v1`; push mode POSTs new tasks to the configured webhook signed with
HMAC-SHA256 (X-Fbjd-Timestamp, X-Fbjd-Signature = "sha256=" + hex HMAC(secret, timestamp + raw body),
X-Fbjd-Delivery, X-Fbjd-Event), retried with back-off until acknowledged with a 2xx.
"""


def create_app(settings: Settings) -> FastAPI:
    app = create_service_app(
        settings=settings,
        prefix="workflow",
        title="fbjd workflow",
        description=DESCRIPTION,
        routers=ROUTERS,
        extra_lifespan=lifespan,
    )
    return app


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_workflow.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per poll otherwise; our jobs log what they do
    return create_app(settings)
