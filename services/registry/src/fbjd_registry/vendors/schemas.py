"""Technical units, assignments, blacklist entries and quality summaries, in and out."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.enterprises.credit_code import credit_code_problem
from fbjd_registry.vocabulary import VendorKind

__all__ = [
    "AssignmentIn",
    "AssignmentOut",
    "BlacklistEntryOut",
    "BlacklistIn",
    "BlacklistRemovalIn",
    "QualityEnterprise",
    "VendorIn",
    "VendorOut",
    "VendorPatch",
    "VendorQuality",
]

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


class _VendorChecks(BaseModel):
    @field_validator("name", "contact_name", check_fields=False)
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise PydanticCustomError("registry", "不能只填空格")
        return None if value is None else value.strip()

    @field_validator("credit_code", check_fields=False)
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        if value is not None and (problem := credit_code_problem(value)):
            raise PydanticCustomError("registry", problem)
        return value

    @field_validator("contact_phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise PydanticCustomError("registry", f"须为手机号(11位)或座机号(如 0317-2025555)，现为 {value!r}")
        return value


class VendorIn(_VendorChecks):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, description="e.g. 河北环测科技有限公司")
    credit_code: str = Field(description="统一社会信用代码 (GB 32100, check character verified)")
    kind: VendorKind = Field(description="builder 建设厂商 | operator 第三方运营商")
    contact_name: str = Field(min_length=2, max_length=50)
    contact_phone: str
    address: str | None = Field(default=None, max_length=200)


class VendorPatch(_VendorChecks):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=200)
    credit_code: str | None = None
    kind: VendorKind | None = None
    contact_name: str | None = Field(default=None, min_length=2, max_length=50)
    contact_phone: str | None = None
    address: str | None = Field(default=None, max_length=200)


class VendorOut(BaseModel):
    id: uuid.UUID
    name: str
    credit_code: str
    kind: VendorKind
    contact_name: str
    contact_phone: str
    address: str | None


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    role: VendorKind = Field(description="builder: who built the installation; operator: who operates it")


class AssignmentOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    vendor_id: uuid.UUID
    role: VendorKind
    vendor_name: str
    blacklisted: bool


class BlacklistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor_id: uuid.UUID
    reason: str = Field(min_length=4, max_length=1000, description="why the city lists it (published)")


class BlacklistRemovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=4, max_length=1000, description="why the city removes it (published)")


class BlacklistEntryOut(BaseModel):
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    credit_code: str
    kind: VendorKind
    reason: str
    listed_by: str
    listed_at: datetime
    removed_by: str | None
    removed_at: datetime | None
    removal_reason: str | None


class QualityEnterprise(BaseModel):
    ps_id: str
    name: str
    county_code: str
    roles: list[VendorKind]
    points: int
    audit_errors: int | None  # None: not audited yet
    audit_warnings: int | None


class VendorQuality(BaseModel):
    """The quality of a vendor's installations, over the enterprises the caller may see."""

    vendor: VendorOut
    blacklisted: bool
    enterprises: int
    points: int
    points_by_role: dict[str, int]
    enterprises_audited: int
    enterprises_passing_audit: int  # no finding of severity error
    audit_errors: int
    audit_warnings: int
    findings_by_category: dict[str, int]
    findings_by_code: dict[str, int]
    by_enterprise: list[QualityEnterprise]
