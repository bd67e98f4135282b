"""Control plans (一厂一策), control periods, and a facility's obligation at an instant."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.vocabulary import ControlAction, ControlLevel, Industry

__all__ = [
    "MeasureIn",
    "MeasureOut",
    "ObligationOut",
    "PeriodIn",
    "PeriodOut",
    "PeriodPatch",
    "PlanIn",
    "PlanOut",
    "PlanRef",
    "PlanVersionOut",
    "TimeWindow",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TimeWindow(BaseModel):
    """A daily window in China Standard Time, `22:00`–`06:00` crossing midnight allowed."""

    model_config = ConfigDict(extra="forbid")

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise PydanticCustomError("registry", f"须为 hh:mm（24小时制，如 07:30），现为 {value!r}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> TimeWindow:
        if self.start == self.end:
            raise PydanticCustomError("registry", f"错峰时段 {self.start}-{self.end} 的开始和结束不能相同")
        return self


class MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facility_id: uuid.UUID
    action: ControlAction
    limit_share: float | None = Field(default=None, gt=0, lt=1, description="limit: allowed share of normal use")
    windows: list[TimeWindow] | None = Field(default=None, description="off_peak: daily windows it must not run")

    @model_validator(mode="after")
    def _fits_action(self) -> MeasureIn:
        if self.action is ControlAction.LIMIT and self.limit_share is None:
            raise PydanticCustomError("registry", "限产措施须填写限产比例（0～1之间，如 0.5 表示正常用电量的50%）")
        if self.action is not ControlAction.LIMIT and self.limit_share is not None:
            raise PydanticCustomError("registry", "只有限产措施才填写限产比例")
        if self.action is ControlAction.OFF_PEAK and not self.windows:
            raise PydanticCustomError("registry", "错峰措施须至少填写一个错峰时段")
        if self.action is not ControlAction.OFF_PEAK and self.windows:
            raise PydanticCustomError("registry", "只有错峰措施才填写错峰时段")
        return self


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, description="e.g. 重污染天气应急减排一厂一策（红色）")
    measures: list[MeasureIn] = Field(default_factory=list)


class MeasureOut(BaseModel):
    facility_id: uuid.UUID
    action: ControlAction
    limit_share: float | None
    windows: list[TimeWindow] | None


class PlanOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    level: ControlLevel
    name: str
    measures: list[MeasureOut]


class PlanVersionOut(PlanOut):
    """A plan as it stood over [valid_from, valid_to): what the rules judge data of that time by."""

    valid_from: datetime
    valid_to: datetime | None = Field(description="next change inside the window; None: unchanged to its end")


class PlanRef(BaseModel):
    id: uuid.UUID
    level: ControlLevel
    name: str


class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, description="e.g. 沧州市重污染天气橙色预警（沧气指〔2026〕5号）")
    level: ControlLevel
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    counties: list[str] = Field(default_factory=list, description="county codes; empty: the issuer's whole area")
    industries: list[Industry] = Field(default_factory=list, description="empty: every industry")


class PeriodPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=200)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class PeriodOut(BaseModel):
    id: uuid.UUID
    name: str
    level: ControlLevel
    issuer_county_code: str | None  # None: issued by the city
    starts_at: datetime
    ends_at: datetime
    counties: list[str]
    industries: list[Industry]
    created_by: str


class ObligationOut(BaseModel):
    """What a facility must do at `at`: the strictest measure of every period in force that covers it."""

    facility_id: uuid.UUID
    ps_id: str
    at: datetime
    action: Literal["none", "stop", "limit", "off_peak"]
    limit_share: float | None = None
    windows: list[TimeWindow] | None = None
    in_forbidden_window: bool | None = None  # off_peak: whether `at` falls inside one of the windows
    period: PeriodOut | None = None
    plan: PlanRef | None = None
    active_periods: list[PeriodOut] = Field(default_factory=list)  # every period in force covering the enterprise
