"""What a bridge process runs beside HTTP: the outbox sender (an asyncio task woken by arrivals), the registry
push, the forwarder of readings to an HJ 212 upstream, the delivery of county records to the workflow (woken by
their arrival, where the sender may run), and the HTTP clients of the province and the registry.

Without FBJD_PROVINCE_BASE_URL nothing is pushed and records wait in the outbox; with `sender_enabled` off
this process only serves the API (another process sends). Several senders may run: one per endpoint sends
at a time (an advisory lock), the others find the lock taken and wait for the next poll. A forwarder per
upstream of FBJD_UPSTREAM_HJ212 runs where the sender may, each its own task; one process forwards to a given
upstream at a time (an advisory lock per upstream). The daily self-audit (self_audit/job.py) runs where the
sender may; any process answers the stored report and may start a refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fbjd_bridge.config import Settings, service_token
from fbjd_bridge.county.delivery import CountyDeliverer, WorkflowIntake
from fbjd_bridge.forwarding.forwarder import Forwarder
from fbjd_bridge.outbox.sender import OutboxSender
from fbjd_bridge.province.client import ProvinceClient
from fbjd_bridge.registry_push.client import RegistryPushClient
from fbjd_bridge.registry_push.pusher import RegistryPusher
from fbjd_bridge.registry_sync.client import RegistryClient
from fbjd_bridge.self_audit.job import daily_self_audit

__all__ = [
    "forwarders_running",
    "lifespan",
    "registry_pusher_running",
    "sender_running",
    "wake_county_deliverer",
    "wake_sender",
]

log = logging.getLogger(__name__)


def wake_sender(app: FastAPI) -> None:
    sender: OutboxSender | None = getattr(app.state, "sender", None)
    if sender is not None:
        sender.wake()


def wake_county_deliverer(app: FastAPI) -> None:
    deliverer: CountyDeliverer | None = getattr(app.state, "county_deliverer", None)
    if deliverer is not None:
        deliverer.wake()


def sender_running(app: FastAPI) -> bool:
    task: asyncio.Task[None] | None = getattr(app.state, "sender_task", None)
    return task is not None and not task.done()


def registry_pusher_running(app: FastAPI) -> bool:
    task: asyncio.Task[None] | None = getattr(app.state, "registry_push_task", None)
    return task is not None and not task.done()


def forwarders_running(app: FastAPI) -> set[str]:
    """The upstreams whose forwarder runs in this process."""
    tasks: dict[str, asyncio.Task[None]] = getattr(app.state, "forwarder_tasks", None) or {}
    return {name for name, task in tasks.items() if not task.done()}


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
    push_client: RegistryPushClient | None = None
    app.state.registry_push_task = None
    if settings.province_registry_push_url and settings.sender_enabled:
        push_client = RegistryPushClient(
            settings.province_registry_push_url, timeout_s=settings.registry_push_timeout_seconds
        )
        pusher = RegistryPusher(app.state.sessionmaker, settings, registry, push_client)
        app.state.registry_push_task = asyncio.create_task(pusher.run(), name="bridge-registry-push")
        log.info("registry push started", extra={"target": settings.province_registry_push_url})
    forwarders: list[Forwarder] = []
    app.state.forwarder_tasks = {}
    if settings.sender_enabled:
        for upstream in settings.upstreams:
            forwarder = Forwarder(app.state.sessionmaker, settings, upstream)
            forwarders.append(forwarder)
            app.state.forwarder_tasks[upstream.name] = asyncio.create_task(
                forwarder.run(), name=f"bridge-forwarder-{upstream.name}"
            )
            log.info(
                "forwarding upstream started",
                extra={"upstream": upstream.name, "address": upstream.address, "county": upstream.county},
            )
    intake = WorkflowIntake(settings.workflow_url, token=lambda: service_token(settings))
    app.state.county_deliverer = CountyDeliverer(app.state.sessionmaker, settings, intake)
    app.state.county_task = None
    if settings.sender_enabled:
        app.state.county_task = asyncio.create_task(app.state.county_deliverer.run(), name="bridge-county-delivery")
    try:
        async with daily_self_audit(app.state.sessionmaker, settings) as app.state.self_audit_job:
            yield
    finally:
        county_task: asyncio.Task[None] | None = app.state.county_task
        if county_task is not None:
            county_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await county_task
        await intake.aclose()
        forward_tasks: dict[str, asyncio.Task[None]] = app.state.forwarder_tasks
        for forward_task in forward_tasks.values():
            forward_task.cancel()
        for forward_task in forward_tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await forward_task
        for forwarder in forwarders:
            await forwarder.aclose()
        push_task: asyncio.Task[None] | None = app.state.registry_push_task
        if push_task is not None:
            push_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await push_task
        if push_client is not None:
            await push_client.aclose()
        task: asyncio.Task[None] | None = app.state.sender_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if client is not None:
            await client.aclose()
        await registry.aclose()
