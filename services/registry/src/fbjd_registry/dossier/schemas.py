"""The dossier's sections in and out: each section has its own text fields (all optional: a dossier is filled
as the work goes on) and its kinds of file.

- survey 现场调查记录: products, process flow, emission outlets, the production → treatment → outlet relations,
  who surveyed when; files: the survey record, the process flow chart, photos of the meter boxes.
- point_design 点位设计: the design and who made it; file: the point design.
- installation 安装记录: when, by whom, what was installed; files: installation record and photos.
- alarm_plans 报警预案: how alarms are handled and who answers them; file: the alarm plan.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.documents.schemas import DocumentOut

__all__ = [
    "DOSSIER_LABELS",
    "SECTION_MODELS",
    "AlarmPlansFields",
    "DocumentKindOut",
    "DossierOut",
    "EmissionOutlet",
    "InstallationFields",
    "PointDesignFields",
    "Relation",
    "SectionOut",
    "SectionSnapshot",
    "SurveyFields",
]

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

DOSSIER_LABELS: dict[str, str] = {
    "products": "主要产品及产能",
    "process_flow": "生产工艺流程",
    "emission_outlets": "排放口",
    "relations": "生产设施-治污设施-排放口对应关系",
    "code": "排放口编号",
    "name": "名称",
    "pollutants": "主要污染物",
    "production_facility": "生产设施",
    "treatment_facility": "治污设施",
    "outlet": "排放口",
    "surveyed_on": "调查日期",
    "surveyed_by": "调查人员",
    "design_summary": "点位设计说明",
    "designed_by": "设计单位",
    "designed_on": "设计日期",
    "installed_on": "安装日期",
    "installer": "安装单位",
    "devices": "安装设备",
    "notes": "备注",
    "plan_summary": "报警处置流程",
    "responsible_person": "报警处置责任人",
    "responsible_phone": "责任人电话",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmissionOutlet(_Section):
    code: str = Field(min_length=1, max_length=30, description="e.g. DA001")
    name: str = Field(min_length=2, max_length=100)
    pollutants: str | None = Field(default=None, max_length=200)


class Relation(_Section):
    """One line of 生产设施 → 治污设施 → 排放口."""

    production_facility: str = Field(min_length=2, max_length=100)
    treatment_facility: str = Field(min_length=2, max_length=100)
    outlet: str = Field(min_length=1, max_length=100)


class SurveyFields(_Section):
    products: str | None = Field(default=None, max_length=2000)
    process_flow: str | None = Field(default=None, max_length=4000)
    emission_outlets: list[EmissionOutlet] = Field(default_factory=list, max_length=200)
    relations: list[Relation] = Field(default_factory=list, max_length=1000)
    surveyed_on: date | None = None
    surveyed_by: str | None = Field(default=None, max_length=200)


class PointDesignFields(_Section):
    design_summary: str | None = Field(default=None, max_length=4000)
    designed_by: str | None = Field(default=None, max_length=200)
    designed_on: date | None = None


class InstallationFields(_Section):
    installed_on: date | None = None
    installer: str | None = Field(default=None, max_length=200)
    devices: str | None = Field(default=None, max_length=4000)
    notes: str | None = Field(default=None, max_length=4000)


class AlarmPlansFields(_Section):
    plan_summary: str | None = Field(default=None, max_length=4000)
    responsible_person: str | None = Field(default=None, max_length=50)
    responsible_phone: str | None = None

    @field_validator("responsible_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise PydanticCustomError(
                "registry", f"须为11位手机号或带区号的固定电话（如 0317-2025555），现为 {value!r}"
            )
        return value


SECTION_MODELS: dict[str, type[_Section]] = {
    "survey": SurveyFields,
    "point_design": PointDesignFields,
    "installation": InstallationFields,
    "alarm_plans": AlarmPlansFields,
}


class DocumentKindOut(BaseModel):
    kind: str
    label: str


class SectionOut(BaseModel):
    section: str
    label: str
    fields: dict[str, Any]  # the section's fields (empty values before anything is saved)
    document_kinds: list[DocumentKindOut]
    documents: list[DocumentOut]
    updated_by: str | None
    updated_at: datetime | None


class DossierOut(BaseModel):
    ps_id: str
    enterprise_name: str
    sections: list[SectionOut]


class SectionSnapshot(BaseModel):
    """What the change log keeps of a section (entity `dossier_section`)."""

    section: str
    fields: dict[str, Any]
