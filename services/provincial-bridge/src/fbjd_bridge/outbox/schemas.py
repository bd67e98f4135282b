"""The outbox as the city's operators see it: per-endpoint state and the dead-letter list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from fbjd_bridge.registry_push.schemas import RegistryPushStatusOut

__all__ = ["DeadLetterOut", "EndpointStatusOut", "StatusOut"]


class EndpointStatusOut(BaseModel):
    endpoint: str  # abnormal | limit
    path: str
    backlog: int  # record versions waiting to be pushed
    oldest_pending_at: datetime | None
    dead_letters: int
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_at: datetime | None  # set while the province is failing: the sender waits until then


class StatusOut(BaseModel):
    province_base_url: str | None  # None: not configured, records queue up and nothing is pushed
    sender_running: bool
    endpoints: list[EndpointStatusOut]
    registry_push: RegistryPushStatusOut | None = None  # the registry push job (registry_push/)


class DeadLetterOut(BaseModel):
    seq: int
    record_id: uuid.UUID
    version: int
    ps_id: str
    endpoint: str
    body: dict[str, Any] | None  # the item sent (None: the record could not be written in the interface's format)
    rejections: int
    error: str | None
    reply: str | None  # the province's answer, as it came
    created_at: datetime
    dead_at: datetime | None
