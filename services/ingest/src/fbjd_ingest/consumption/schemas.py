"""Consumption in the API."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from fbjd_core.ids import PsIdStr
from pydantic import BaseModel, Field, model_validator

__all__ = ["ConsumptionOut", "ConsumptionRow", "Group", "GroupSumsIn", "GroupSumsOut", "GroupSumRow", "Period"]


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Group(StrEnum):
    ENTERPRISE = "enterprise"
    POINT = "point"


class ConsumptionRow(BaseModel):
    ps_id: str
    point_id: str | None = Field(description="null when grouped by enterprise")
    period_start: date = Field(description="first day of the CST day / month / year")
    kwh: float = Field(description="electricity used (kWh) in the period")


class ConsumptionOut(BaseModel):
    period: Period
    group: Group
    rows: list[ConsumptionRow]


MAX_GROUPED_ENTERPRISES = 20_000


class GroupSumsIn(BaseModel):
    """Named groups of enterprises (an industry, a county, a park: whatever the caller groups by) to sum."""

    start: date = Field(description="first CST day (YYYY-MM-DD), included")
    end: date = Field(description="last CST day (YYYY-MM-DD), included")
    period: Period = Period.DAY
    groups: dict[str, list[PsIdStr]] = Field(
        description="group name → its enterprises' psIds; an enterprise in two groups counts in both",
        examples=[{"化工": ["9341d3a03346439a94e348ae97318832"], "新型建材": ["dcc5b329a77d2c22e566e88c1acde71d"]}],
    )

    @model_validator(mode="after")
    def _bounded(self) -> GroupSumsIn:
        total = sum(len(members) for members in self.groups.values())
        if total > MAX_GROUPED_ENTERPRISES:
            raise ValueError(f"at most {MAX_GROUPED_ENTERPRISES} enterprises over all groups, got {total}")
        return self


class GroupSumRow(BaseModel):
    group: str
    period_start: date = Field(description="first day of the CST day / month / year")
    kwh: float = Field(description="electricity the group's enterprises used (kWh) in the period")


class GroupSumsOut(BaseModel):
    period: Period
    rows: list[GroupSumRow]
