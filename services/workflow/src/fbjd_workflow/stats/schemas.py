"""Statistics out (统计)."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["GroupCount", "StageDuration", "Stats"]


class GroupCount(BaseModel):
    key: str
    total: int
    open: int
    by_stage: dict[str, int]


class StageDuration(BaseModel):
    """How long a stage took, in minutes, over the alarms that went through it."""

    count: int
    average_minutes: float | None
    longest_minutes: float | None


class Stats(BaseModel):
    total: int
    open: int
    by_stage: dict[str, int]
    by_county: list[GroupCount]
    by_industry: list[GroupCount]
    by_type: list[GroupCount]
    by_grade: list[GroupCount]
    durations: dict[str, StageDuration]
