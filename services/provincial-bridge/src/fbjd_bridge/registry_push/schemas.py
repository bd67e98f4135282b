"""The registry push as the city sees it in GET /status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["RegistryPushStatusOut"]


class RegistryPushStatusOut(BaseModel):
    target: str | None = Field(description="FBJD_PROVINCE_REGISTRY_PUSH_URL; None: the push is off")
    running: bool  # the push task runs in this process
    cursor: str  # the last seq the target acknowledged ("0": nothing yet)
    pending_changes: int  # registry items changed after the cursor, as of the last registry refresh
    pushes: int  # batches the target accepted
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_at: datetime | None  # set while the target is failing: the pusher waits until then
    registry_refreshed_at: datetime | None  # when the bridge last read the registry
