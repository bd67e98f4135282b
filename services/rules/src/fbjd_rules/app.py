"""The rules service: its one door is this HTTP API under /api/rules.

Beside HTTP it runs (when `settings.background`) the evaluation worker, the outbox senders (workflow, bridge,
maintenance) and the periodic sweep, all in the service's event loop, started and stopped with the app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fbjd_core.app import ExtraLifespan, create_service_app
from fbjd_core.logging import configure_logging

from fbjd_rules.abnormals.routes import router as abnormals_router
from fbjd_rules.config import Settings, service_token
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.evaluation.routes import router as evaluation_router
from fbjd_rules.evaluation.service import Evaluator
from fbjd_rules.evaluation.sweep import Sweep
from fbjd_rules.evaluation.worker import EvaluationWorker
from fbjd_rules.findings.routes import router as findings_router
from fbjd_rules.outbox.sender import OutboxSender
from fbjd_rules.stretches.routes import router as stretches_router
from fbjd_rules.thresholds.routes import router as thresholds_router

__all__ = ["create_app", "main"]

ROUTERS = (evaluation_router, abnormals_router, findings_router, thresholds_router, stretches_router)


def _background(settings: Settings) -> ExtraLifespan:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def token() -> str:
            return service_token(settings)

        registry = RegistryClient(
            settings.registry_url,
            token,
            changes_ttl_s=settings.registry_cache_s,
            periods_ttl_s=settings.registry_periods_cache_s,
        )
        senders = [
            OutboxSender(
                app.state.sessionmaker,
                destination,
                base_url,
                token,
                batch=settings.outbox_batch,
                poll_s=settings.outbox_poll_s,
                max_backoff_s=settings.outbox_max_backoff_s,
                enrich=registry.with_operator if destination == "maintenance" else None,
            )
            for destination, base_url in (
                ("workflow", settings.workflow_url),
                ("bridge", settings.bridge_url),
                ("maintenance", settings.workflow_url),
            )
        ]

        def wake_senders() -> None:
            for each in senders:
                each.wake()

        evaluator = Evaluator(registry, settings.rule_params(), timedelta(minutes=settings.evaluation_margin_minutes))
        worker = EvaluationWorker(
            app.state.sessionmaker,
            evaluator,
            concurrency=settings.evaluation_concurrency,
            poll_s=settings.evaluation_poll_s,
            retry_s=settings.evaluation_retry_s,
            on_change=wake_senders,
        )
        app.state.registry, app.state.senders = registry, senders
        tasks: list[asyncio.Task[None]] = []
        scheduler = None
        if settings.background:
            app.state.worker = worker
            tasks = [
                asyncio.create_task(worker.run(), name="rules-worker"),
                *(asyncio.create_task(s.run(), name=f"rules-outbox-{s.destination}") for s in senders),
            ]
            sweep = Sweep(
                app.state.sessionmaker, registry, settings.rule_params(), worker.wake, settings.threshold_learning_days
            )
            app.state.sweep = sweep
            scheduler = sweep.scheduler(settings.sweep_interval_s)
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for s in senders:
                await s.aclose()
            await registry.aclose()

    return lifespan


def create_app(settings: Settings) -> FastAPI:
    app = create_service_app(
        settings=settings,
        prefix="rules",
        title="fbjd rules",
        description="Thresholds (declared / learned), rule evaluation and merged abnormal records.",
        routers=ROUTERS,
        extra_lifespan=_background(settings),
    )
    return app


def main() -> FastAPI:
    """Factory for `uvicorn --factory fbjd_rules.app:main`: settings from the environment."""
    settings = Settings()  # type: ignore[call-arg]
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    return create_app(settings)
