"""Threshold proposals in and out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import PsIdStr
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["LearnIn", "ProposalOut"]


class LearnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ps_id: PsIdStr
    end: AwareDatetime | None = Field(default=None, description="learn from the days before this instant (now)")
    days: int = Field(default=14, ge=14, le=90, description="at least two weeks of normal production")


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ps_id: str
    county: str | None
    point_id: str
    point_name: str
    role: str
    status: str
    estimate: str
    learned_kw: float | None
    declared_kw: float | None
    declared_source: str | None
    rated_kw: float | None
    off_level_kw: float | None
    on_level_kw: float | None
    confidence: float
    eta: float
    on_share: float
    samples: int
    data_from: datetime
    data_to: datetime
    findings: list[dict[str, Any]]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
