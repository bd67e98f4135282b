"""Queueing a message in the caller's transaction (so it exists exactly when the change it reports does)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.outbox import repository

__all__ = ["Channel", "enqueue"]

log = logging.getLogger(__name__)


class Channel(StrEnum):
    BRIDGE = "bridge"  # → provincial bridge: POST {bridge_url}/api/bridge/dispositions
    ENFORCEMENT = "enforcement"  # → mobile enforcement webhook (signed)
    NOTICE = "notice"  # → the enterprise notification channel (webhook, SMS gateway, app)


async def enqueue(
    session: AsyncSession,
    *,
    channel: Channel,
    dedupe_key: str,
    ps_id: str,
    alarm_id: uuid.UUID | None,
    payload: dict[str, Any],
    at: datetime,
) -> bool:
    """Queue once per `dedupe_key`; returns False when that fact was queued before."""
    queued = await repository.insert_once(
        session,
        {
            "id": new_id(),
            "channel": channel.value,
            "dedupe_key": dedupe_key,
            "ps_id": ps_id,
            "alarm_id": alarm_id,
            "payload": payload,
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        },
    )
    log.info(
        "outbox message queued" if queued else "outbox message already queued",
        extra={"channel": channel.value, "dedupe_key": dedupe_key, "alarm_id": str(alarm_id)},
    )
    return queued
