"""Security events in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

__all__ = ["SecurityEventList", "SecurityEventOut"]


class SecurityEventOut(BaseModel):
    at: datetime
    kind: str
    mn: str
    ps_id: str | None
    peer: str | None
    cn: str | None
    qn: str | None
    detail: dict[str, Any] | None


class SecurityEventList(BaseModel):
    items: list[SecurityEventOut]
