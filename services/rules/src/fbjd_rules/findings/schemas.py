"""Findings out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["FindingOut"]


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ps_id: str
    county: str | None
    kind: str
    subject: str
    severity: str
    mn: str | None
    point_id: str | None
    start_at: datetime
    end_at: datetime | None
    status: str
    status_reason: str | None
    version: int
    message: str
    detail: dict[str, Any]
    updated_at: datetime
