"""The acceptance application in and out.

The basic information form 分表计电验收申请基础信息表 has two parts: the enterprise's own fields (name, address,
county, lon/lat, credit code, permit number, legal representative, postcode, category, industry, 30万千瓦 flag,
environmental contact, third-party operator), which the registry already keeps and the application reuses as
they are (`EnterpriseOut`; corrected by the county through PATCH /enterprises/{psId}), and the fields that
belong to the application itself (`ApplicationForm`). Every field below without a default is 必填.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.enterprises.schemas import EnterpriseOut

__all__ = [
    "FORM_LABELS",
    "ApplicationForm",
    "ApplicationOut",
    "ApplicationSnapshot",
    "MissingItem",
    "RequiredDocument",
]

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

FORM_LABELS: dict[str, str] = {
    "builder_name": "建设厂商",
    "builder_contact": "建设厂商联系人",
    "builder_phone": "建设厂商联系电话",
    "installed_on": "安装完成日期",
    "networked_on": "联网日期",
    "devices_count": "采集终端数量(台)",
    "permit_production_facilities": "排污许可证载明的生产设施数量(台/套)",
    "permit_treatment_facilities": "排污许可证载明的治污设施数量(台/套)",
    "applicant_name": "申请人",
    "applicant_phone": "申请人联系电话",
    "applied_on": "申请日期",
    "remarks": "备注",
}


class ApplicationForm(BaseModel):
    """The application's own fields of 分表计电验收申请基础信息表."""

    model_config = ConfigDict(extra="forbid")

    builder_name: str = Field(min_length=2, max_length=100, description="建设厂商")
    builder_contact: str = Field(min_length=2, max_length=50)
    builder_phone: str
    installed_on: date = Field(description="安装完成日期")
    networked_on: date = Field(description="联网日期, not before installed_on")
    devices_count: int = Field(ge=1, le=10_000, description="采集终端数量")
    permit_production_facilities: int = Field(ge=0, le=100_000, description="排污许可证载明的生产设施数量")
    permit_treatment_facilities: int = Field(ge=0, le=100_000, description="排污许可证载明的治污设施数量")
    applicant_name: str = Field(min_length=2, max_length=50)
    applicant_phone: str
    applied_on: date
    remarks: str | None = Field(default=None, max_length=1000)

    @field_validator("builder_name", "builder_contact", "applicant_name")
    @classmethod
    def _no_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("registry", "不能只填空格")
        return value.strip()

    @field_validator("builder_phone", "applicant_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE.match(value):
            raise PydanticCustomError(
                "registry", f"须为11位手机号或带区号的固定电话（如 0317-2025555），现为 {value!r}"
            )
        return value


class RequiredDocument(BaseModel):
    kind: str
    label: str
    present: bool


class MissingItem(BaseModel):
    """One thing the application still lacks before it can be submitted."""

    field: str  # form.<field> | enterprise.<field> | documents.<kind>
    label: str
    message: str


class ApplicationOut(BaseModel):
    ps_id: str
    state: str  # draft | submitted | under_audit | rectification | passed | filed
    state_label: str
    saved: bool  # False: nothing saved yet (the state is then draft)
    round: int  # submissions so far
    enterprise: EnterpriseOut  # the form's first part, reused from the registry
    form: ApplicationForm | None
    documents: list[DocumentOut]
    required_documents: list[RequiredDocument]
    missing: list[MissingItem]  # empty: ready to submit
    submitted_by: str | None
    submitted_at: datetime | None
    passed_at: datetime | None
    filed_by: str | None
    filed_at: datetime | None
    acceptance_date: date | None
    created_at: datetime | None
    updated_at: datetime | None


class ApplicationSnapshot(BaseModel):
    """What the change log keeps of an application at each step (entity `acceptance_application`)."""

    ps_id: str
    state: str
    round: int
    form: ApplicationForm | None
    submitted_by: str | None
    submitted_at: datetime | None
    passed_at: datetime | None
    filed_by: str | None
    filed_at: datetime | None
    acceptance_date: date | None
