"""The acceptance report as data."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from fbjd_registry.acceptance.review.schemas import SiteAuditOut

__all__ = [
    "Conclusion",
    "FilingIn",
    "Filing",
    "PlatformAuditSummary",
    "PointCounts",
    "ReportEnterprise",
    "AcceptanceReport",
    "Signature",
]


class PointCounts(BaseModel):
    """监测点位数量. production counts 产治一体 points too (they meter a producing facility); emergency_reduction
    counts the points (of any role but total line) of facilities under a 一厂一策 measure (应急减排点位)."""

    total: int
    production: int
    treatment: int
    integrated: int
    emergency_reduction: int
    total_line: int
    production_facilities: int
    treatment_facilities: int


class ReportEnterprise(BaseModel):
    name: str
    address: str
    county_code: str
    county_name: str
    credit_code: str
    permit_no: str | None
    industry: str
    category: str
    legal_representative: str
    env_contact_name: str
    env_contact_phone: str
    operator_name: str | None


class PlatformAuditSummary(BaseModel):
    audited_by: str
    audited_at: datetime
    items: int
    passed_items: int
    failed_items: list[str]  # titles of the items not passed
    opinion: str
    transmission_rate: float | None


class Conclusion(BaseModel):
    code: str  # pending | rectification | passed | filed
    text: str


class Signature(BaseModel):
    """One party of the signatures block: filled where the platform knows who, blank to be signed on paper."""

    party: str
    signer: str | None
    signed_on: date | None


class Filing(BaseModel):
    filed_by: str
    filed_at: datetime
    acceptance_date: date


class AcceptanceReport(BaseModel):
    title: str  # 沧州市工业企业分表计电系统验收报告
    ps_id: str
    state: str
    state_label: str
    round: int
    enterprise: ReportEnterprise
    builder_name: str | None
    devices_count: int | None
    installed_on: date | None
    networked_on: date | None
    applied_on: date | None
    submitted_at: datetime | None
    counts: PointCounts
    platform_audit: PlatformAuditSummary | None
    site_audit: SiteAuditOut | None
    conclusion: Conclusion
    filing: Filing | None
    signatures: list[Signature]
    generated_at: datetime


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = None  # the acceptance date; today (CST) when omitted
