"""Spot checks and the province's progress tables, in and out."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProgressRow", "SpotCheckIn", "SpotCheckItemOut", "SpotCheckOut", "SpotResultIn"]

DRAW_METHOD = (
    '按 psId 升序取全部已验收企业为总体；对每个 psId 计算 SHA-256("{seed}:{psId}") 的十六进制值，'
    "取最小的 ceil(比例×总体数) 家（sha256 of '<seed>:<psId>', the smallest ceil(share × N))"
)


class SpotCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, description="e.g. 2026年第四季度分表计电验收抽查")
    share: float = Field(default=0.05, ge=0.05, le=1, description="at least 5% of accepted enterprises")
    seed: int | None = Field(default=None, ge=0, lt=2**31, description="omitted: drawn at random and recorded")


class SpotResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    note: str | None = Field(default=None, max_length=1000)


class SpotCheckItemOut(BaseModel):
    ps_id: str
    enterprise_name: str
    county_code: str
    position: int
    passed: bool | None
    note: str | None
    recorded_by: str | None
    recorded_at: datetime | None


class SpotCheckOut(BaseModel):
    id: uuid.UUID
    name: str
    seed: int
    share: float
    method: str = DRAW_METHOD
    population_size: int
    population: list[str]
    drawn_by: str
    drawn_at: datetime
    items: list[SpotCheckItemOut]


class ProgressRow(BaseModel):
    """One county's line of 安装联网进度表 (附件2) for a month; see `progress` for the definitions."""

    county_code: str
    county_name: str
    annual_task: int
    installed_this_month: int
    installed_cumulative: int
    networked_this_month: int
    networked_cumulative: int
    accepted_cumulative: int
    networked_share: float | None  # networked_cumulative / annual_task
