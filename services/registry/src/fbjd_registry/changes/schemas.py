"""What the change log answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

__all__ = ["ChangeContext", "ChangeOut"]


@dataclass(frozen=True, slots=True)
class ChangeContext:
    """Who makes a change and at what instant it takes effect in the log (normally now)."""

    actor: str
    at: datetime


class ChangeOut(BaseModel):
    seq: int
    ps_id: str | None
    entity: str
    entity_id: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    actor: str
    at: datetime
