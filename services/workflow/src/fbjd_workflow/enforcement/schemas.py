"""The mobile enforcement system's schemas, versioned: the task (fbjd.task/v1) and the inspection record
(fbjd.inspection/v1). A breaking change ships v2 beside v1; additions within a version are optional fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fbjd_workflow.declarations.schemas import DeclarationOut
from fbjd_workflow.files.schemas import FileOut
from fbjd_workflow.vocabulary import Conclusion

__all__ = [
    "INSPECTION_SCHEMA",
    "TASK_SCHEMA",
    "InspectionIn",
    "InspectionOut",
    "PhotoIn",
    "TaskAbnormal",
    "TaskDocument",
    "TaskEnterprise",
    "TaskHandling",
    "TaskReview",
    "TaskSummary",
]

TASK_SCHEMA: Final = "fbjd.task/v1"
INSPECTION_SCHEMA: Final = "fbjd.inspection/v1"

_TASK_EXAMPLE: dict[str, Any] = {
    "schema": TASK_SCHEMA,
    "id": "01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a11",
    "alarm_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "status": "new",
    "created_at": "2026-11-25T03:12:00Z",
    "updated_at": "2026-11-25T03:12:00Z",
    "deadline_at": "2026-11-28T03:12:00Z",
    "overdue": False,
    "accepted_at": None,
    "accepted_by": None,
    "completed_at": None,
    "enterprise": {
        "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
        "name": "沧州市华北陶瓷有限公司",
        "county": "130921",
        "industry": "新型建材",
        "address": "河北省沧州市沧县经济开发区兴业路8号",
        "longitude": 116.87,
        "latitude": 38.29,
        "contact_name": "李环保",
        "contact_phone": "13803170001",
    },
    "abnormal": {
        "type": "treatment_abnormal",
        "type_label": "治理设施异常",
        "grade": "general",
        "production_facility_id": "pf-01",
        "production_facility_name": "1#烧成窑",
        "treatment_facility_id": "tf-01",
        "treatment_facility_name": "1#脱硫塔",
        "treatment_point_ids": ["pt-11", "pt-12"],
        "start": "2026-11-25T01:10:00Z",
        "end": "2026-11-25T02:05:00Z",
        "ongoing": False,
        "duration_minutes": 55,
        "production_threshold_kw": 12.5,
        "treatment_threshold_kw": 4.0,
        "judgement_minutes": 15,
        "limit_ratio": None,
        "remark": "生产设施运行期间脱硫塔循环泵停运",
        "record_version": 4,
    },
    "enterprise_handling": None,
    "declarations": [],
    "city_review": {
        "decision": "reject",
        "opinion": "未在规定时限内说明原因，转执法核查",
        "reviewer": "city-reviewer-01",
        "at": "2026-11-25T03:12:00Z",
    },
    "inspection": None,
}

_INSPECTION_EXAMPLE: dict[str, Any] = {
    "schema": INSPECTION_SCHEMA,
    "officer_name": "王执法",
    "officer_id": "HB-CZ-0213",
    "inspected_at": "2026-11-25T06:30:00+08:00",
    "findings": "现场检查发现1#脱硫塔循环泵电机烧毁，窑炉未停产，已责令立即停产整改",
    "conclusion": "violation_confirmed",
    "photos": [{"filename": "现场照片1.jpg", "content_base64": "/9j/4AAQSkZJRgABAQ..."}],
}


class TaskEnterprise(BaseModel):
    ps_id: str
    name: str
    county: str
    industry: str | None = None
    address: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class TaskAbnormal(BaseModel):
    """The abnormal's evidence (异常记录) as the rules recorded it."""

    type: str
    type_label: str
    grade: str
    production_facility_id: str
    production_facility_name: str
    treatment_facility_id: str | None
    treatment_facility_name: str | None
    treatment_point_ids: list[str]
    start: datetime
    end: datetime
    ongoing: bool
    duration_minutes: int
    production_threshold_kw: float | None
    treatment_threshold_kw: float | None
    judgement_minutes: int
    limit_ratio: float | None
    remark: str
    record_version: int


class TaskHandling(BaseModel):
    reason: str
    reason_label: str
    text: str
    at: datetime
    by: str


class TaskReview(BaseModel):
    decision: str
    opinion: str
    reviewer: str
    at: datetime


class InspectionOut(BaseModel):
    id: uuid.UUID
    officer_name: str
    officer_id: str
    inspected_at: datetime
    findings: str
    conclusion: str
    conclusion_label: str
    recorded_by: str
    recorded_at: datetime
    photos: list[FileOut]


class TaskDocument(BaseModel):
    """Everything an officer needs on site (执法任务单)."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [_TASK_EXAMPLE]})

    schema_: Literal["fbjd.task/v1"] = Field(default=TASK_SCHEMA, alias="schema")
    id: uuid.UUID
    alarm_id: uuid.UUID
    status: str
    created_at: datetime
    updated_at: datetime
    deadline_at: datetime
    overdue: bool
    accepted_at: datetime | None
    accepted_by: str | None
    completed_at: datetime | None
    enterprise: TaskEnterprise
    abnormal: TaskAbnormal
    enterprise_handling: TaskHandling | None
    declarations: list[DeclarationOut]
    city_review: TaskReview | None
    inspection: InspectionOut | None


class TaskSummary(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["fbjd.task/v1"] = Field(default=TASK_SCHEMA, alias="schema")
    id: uuid.UUID
    alarm_id: uuid.UUID
    status: str
    ps_id: str
    county: str
    created_at: datetime
    updated_at: datetime
    deadline_at: datetime
    overdue: bool
    accepted_by: str | None


class PhotoIn(BaseModel):
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(description="the JPEG, PNG or PDF file, base64; at most the configured size")


class InspectionIn(BaseModel):
    """The field officer's inspection record (现场检查记录)."""

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [_INSPECTION_EXAMPLE]})

    schema_: Literal["fbjd.inspection/v1"] = Field(default=INSPECTION_SCHEMA, alias="schema")
    officer_name: str = Field(min_length=2, max_length=50)
    officer_id: str = Field(min_length=1, max_length=50)
    inspected_at: AwareDatetime
    findings: str = Field(min_length=2, max_length=5000, description="现场检查情况")
    conclusion: Conclusion
    photos: list[PhotoIn] = Field(default_factory=list, max_length=10)
