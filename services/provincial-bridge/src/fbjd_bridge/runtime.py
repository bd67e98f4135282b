"""What a bridge process runs beside HTTP: the outbox sender (an asyncio task woken by arrivals) and the
HTTP clients of the province and the registry.

Without FBJD_PROVINCE_BASE_URL nothing is pushed and records wait in the outbox; with `sender_enabled` off
this process only serves the API (another process sends). Several senders may run: one per endpoint sends
at a time (an advisory lock), the others find the lock taken and wait for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fbjd_bridge.config import Settings, service_token
from fbjd_bridge.outbox.sender import OutboxSender
from fbjd_bridge.province.client import ProvinceClient
from fbjd_bridge.registry_sync.client import RegistryClient

__all__ = ["lifespan", "sender_running", "wake_sender"]

log = logging.getLogger(__name__)


def wake_sender(app: FastAPI) -> None:
    sender: OutboxSender | None = getattr(app.state, "sender", None)
    if sender is not None:
        sender.wake()


def sender_running(app: FastAPI) -> bool:
    task: asyncio.Task[None] | None = getattr(app.state, "sender_task", None)
    return task is not None and not task.done()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    registry = RegistryClient(
        settings.registry_url, token=lambda: service_token(settings), concurrency=settings.registry_concurrency
    )
    app.state.registry = registry
    client: ProvinceClient | None = None
    app.state.sender = app.state.sender_task = None
    if settings.province_base_url:
        client = ProvinceClient(settings.province_base_url, timeout_s=settings.province_timeout_seconds)
        sender = OutboxSender(app.state.sessionmaker, settings, client)
        app.state.sender = sender
        if settings.sender_enabled:
            app.state.sender_task = asyncio.create_task(sender.run(), name="bridge-outbox-sender")
            log.info("outbox sender started", extra={"province": settings.province_base_url})
    else:
        log.warning("FBJD_PROVINCE_BASE_URL is not set: records queue up in the outbox, nothing is pushed")
    try:
        yield
    finally:
        task: asyncio.Task[None] | None = app.state.sender_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if client is not None:
            await client.aclose()
        await registry.aclose()
