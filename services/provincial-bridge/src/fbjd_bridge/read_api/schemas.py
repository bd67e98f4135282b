"""What the province reads: records with what was pushed of them and their disposition; dispositions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from fbjd_bridge.dispositions.schemas import DispositionOut

__all__ = ["AbnormalPage", "DispositionPage", "ProvinceAbnormalOut", "PushLabel", "PushOut"]

PushLabel = Literal["sent", "pending", "dead_letter", "not_pushed"]


class PushOut(BaseModel):
    """The push of a record: `sent` (its latest version is at the province), `pending` (a version waits),
    `dead_letter` (the province refused it; the city's operators see it), `not_pushed` (withdrawn before)."""

    state: PushLabel
    endpoint: str  # abnormal | limit
    sent_version: int | None
    sent_at: datetime | None
    sent_item: dict[str, Any] | None  # exactly the item the province last accepted


class ProvinceAbnormalOut(BaseModel):
    id: uuid.UUID
    version: int
    type: str
    status: str  # open | withdrawn (the interface cannot take back a pushed record; this says it was withdrawn)
    ps_id: str
    record: dict[str, Any]  # the record as the rules service reported it
    push: PushOut
    dispositions: list[DispositionOut]
    updated_at: datetime


class AbnormalPage(BaseModel):
    items: list[ProvinceAbnormalOut]
    next_since: datetime | None  # pass as ?since= (inclusive: the boundary item comes again; dedupe by id+version)


class DispositionPage(BaseModel):
    items: list[DispositionOut]
    next_since: datetime | None
