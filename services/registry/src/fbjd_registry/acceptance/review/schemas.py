"""The county's audits in and out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.acceptance.review.items import ItemPrefill
from fbjd_registry.documents.schemas import DocumentOut

__all__ = [
    "AUDIT_LABELS",
    "AuditItemIn",
    "AuditItemOut",
    "PlatformAuditIn",
    "PlatformAuditOut",
    "PlatformAuditSnapshot",
    "SiteAuditIn",
    "SiteAuditOut",
]

AUDIT_LABELS: dict[str, str] = {
    "items": "审核项",
    "code": "审核项编号",
    "passed": "是否通过",
    "opinion": "审核意见",
    "transmission_rate": "月数据传输率(%)",
    "rectification_deadline": "整改期限",
    "audited_on": "核查日期",
    "people": "核查人员",
    "findings": "核查情况",
}


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("registry", "不能只填空格")
    return value.strip()


class AuditItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="one of the twelve item codes (GET …/acceptance/audit lists them)")
    passed: bool
    opinion: str | None = Field(default=None, max_length=1000, description="required when not passed")


class PlatformAuditIn(BaseModel):
    """The auditor's confirmation of all twelve items, the overall opinion and, if any item fails, a deadline."""

    model_config = ConfigDict(extra="forbid")

    items: list[AuditItemIn] = Field(min_length=1, max_length=12)
    opinion: str = Field(min_length=2, max_length=4000)
    transmission_rate: float | None = Field(default=None, ge=0, le=100)
    rectification_deadline: date | None = None

    @field_validator("opinion")
    @classmethod
    def _opinion(cls, value: str) -> str:
        return _text(value)


class SiteAuditIn(BaseModel):
    """现场核查记录."""

    model_config = ConfigDict(extra="forbid")

    audited_on: date
    people: list[str] = Field(min_length=1, max_length=20, description="核查人员, e.g. ['王执法', '刘技术']")
    findings: str = Field(min_length=2, max_length=4000)
    passed: bool
    rectification_deadline: date | None = None

    @field_validator("people")
    @classmethod
    def _people(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not 2 <= len(name) <= 50 for name in names):
            raise PydanticCustomError("registry", "每位核查人员的姓名须为2～50个字")
        return names

    @field_validator("findings")
    @classmethod
    def _findings(cls, value: str) -> str:
        return _text(value)


class AuditItemOut(ItemPrefill):
    passed: bool | None  # the auditor's confirmation; None until confirmed
    opinion: str | None


class SiteAuditOut(BaseModel):
    round: int
    audited_on: date
    people: list[str]
    findings: str
    passed: bool
    rectification_deadline: date | None
    recorded_by: str
    recorded_at: datetime


class PlatformAuditSnapshot(BaseModel):
    """What the change log keeps of a platform audit (entity `acceptance_platform_audit`)."""

    round: int
    items: list[dict[str, object]]
    opinion: str
    transmission_rate: float | None
    rectification_deadline: date | None
    audited_by: str
    audited_at: datetime


class PlatformAuditOut(BaseModel):
    ps_id: str
    round: int  # the submission round these audits belong to
    state: str
    state_label: str
    confirmed: bool  # the auditor has saved this round's platform audit
    items: list[AuditItemOut]
    passed_items: int
    opinion: str | None
    transmission_rate: float | None
    rectification_deadline: date | None  # of the failed platform or site audit, if any
    audited_by: str | None
    audited_at: datetime | None
    site_audit: SiteAuditOut | None
    site_photos: list[DocumentOut]
