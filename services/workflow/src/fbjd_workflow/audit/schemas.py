"""What a verification answers."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["BrokenLink", "VerifyOut"]


class BrokenLink(BaseModel):
    kind: Literal["alarm", "ticket"]
    subject_id: uuid.UUID = Field(description="the alarm or ticket whose history does not hold")
    ps_id: str
    event_id: uuid.UUID | None
    seq: int | None
    reason: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int = Field(description="events checked")
    chains: int = Field(description="histories (alarms and tickets) checked")
    first_broken: BrokenLink | None
