"""The self-audit report as the city reads it (JSON; the same rows in the .xlsx)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "CheckOut",
    "CheckStatus",
    "CountyOut",
    "EnterpriseOut",
    "Evidence",
    "FindingOut",
    "RefreshState",
    "SelfAuditOut",
    "SelfAuditPending",
]

RefreshState = Literal["started", "already_running"]

CheckStatus = Literal["ok", "findings", "warn", "not_checkable"]


class Evidence(BaseModel):
    service: Literal["registry", "rules", "workflow"]
    path: str = Field(description="GET it through the gateway (the same path) to see what the finding rests on")
    id: str | None = None  # the item within that answer, when the path lists several


class FindingOut(BaseModel):
    text: str  # Chinese, for the bureau
    evidence: Evidence


class CheckOut(BaseModel):
    code: int = Field(ge=1, le=6)
    title: str
    status: CheckStatus  # findings: a problem; warn: only what the data cannot decide; not_checkable: a source
    #                      did not answer, or nothing can decide it yet
    findings: list[FindingOut]
    basis: str  # what was checked
    unchecked: str | None = None  # what could not be checked, and why
    notes: list[str] = Field(default_factory=list)  # worth knowing, not a problem (e.g. near misses)


class EnterpriseOut(BaseModel):
    ps_id: str
    name: str
    county: str
    county_name: str | None
    checks: list[CheckOut]


class CountyOut(BaseModel):
    county: str
    county_name: str | None
    enterprises: int
    enterprises_with_findings: int
    findings_by_check: dict[str, int]  # "1".."6" → findings
    not_checkable_by_check: dict[str, int]  # "1".."6" → enterprises whose check could not be made


class SelfAuditOut(BaseModel):
    generated_at: datetime
    window_start: datetime  # records, alarms and periodic findings from here on
    window_days: int
    counties: list[CountyOut]
    enterprises: list[EnterpriseOut]
    stored: bool = False  # the daily report (computed at generated_at), not one computed for this request
    refreshing: bool = False  # a new daily report is being computed (answered with this one meanwhile)
    refresh: RefreshState | None = None  # what `?refresh=true` did


class SelfAuditPending(BaseModel):
    """202: no daily report is stored yet; one is being computed (报告生成中)."""

    state: Literal["generating"] = "generating"
    window_days: int
    started_at: datetime | None  # when the run under way started (None: it is starting now)
    detail: str
