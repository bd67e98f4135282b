"""The alarm in and out: the rules' abnormal record (the contract), the enterprise's handling, the city's review."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fbjd_core.ids import PsIdStr
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fbjd_workflow.declarations.schemas import DeclarationOut
from fbjd_workflow.enforcement.schemas import InspectionOut, TaskSummary
from fbjd_workflow.vocabulary import AbnormalType, Grade, HandlingReason, ReviewDecision

__all__ = [
    "AbnormalRecordIn",
    "AlarmDetail",
    "AlarmOut",
    "BulkReviewIn",
    "BulkReviewOut",
    "BulkReviewResult",
    "EventOut",
    "HandleIn",
    "IntakeResult",
    "OpenCount",
    "PushStatus",
    "ReviewIn",
]

_RECORD_EXAMPLE: dict[str, Any] = {
    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "version": 3,
    "type": "treatment_abnormal",
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "enterprise_name": "沧州市华北陶瓷有限公司",
    "county": "130921",
    "industry": "新型建材",
    "production_facility_id": "pf-01",
    "production_facility_name": "1#烧成窑",
    "treatment_facility_id": "tf-01",
    "treatment_facility_name": "1#脱硫塔",
    "treatment_point_id": "pt-11",
    "treatment_point_ids": ["pt-11", "pt-12"],
    "start": "2026-11-25T01:10:00Z",
    "end": "2026-11-25T01:40:00Z",
    "ongoing": True,
    "duration_minutes": 30,
    "grade": "general",
    "production_threshold_kw": 12.5,
    "treatment_threshold_kw": 4.0,
    "judgement_minutes": 15,
    "limit_ratio": None,
    "remark": "生产设施运行期间脱硫塔循环泵停运",
    "status": "open",
}


class AbnormalRecordIn(BaseModel):
    """One abnormal record (异常记录) as the rules service sends it; fields added later by the rules are kept."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_RECORD_EXAMPLE]})

    id: uuid.UUID
    version: int = Field(ge=1)
    type: AbnormalType
    ps_id: PsIdStr
    enterprise_name: str = Field(min_length=1, max_length=200)
    county: str = Field(min_length=1, max_length=12)
    industry: str = Field(default="", max_length=50)
    production_facility_id: str = Field(min_length=1, max_length=64)
    production_facility_name: str = Field(default="", max_length=200)
    treatment_facility_id: str | None = Field(default=None, max_length=64)
    treatment_facility_name: str | None = None
    treatment_point_id: str | None = None
    treatment_point_ids: list[str] = Field(default_factory=list)
    start: AwareDatetime
    end: AwareDatetime
    ongoing: bool
    duration_minutes: int = Field(ge=0)
    grade: Grade
    production_threshold_kw: float | None = None
    treatment_threshold_kw: float | None = None
    judgement_minutes: int = Field(ge=0)
    limit_ratio: float | None = None
    remark: str = ""
    status: Literal["open", "withdrawn"]
    source: Literal["rules", "county"] = Field(
        default="rules", description="who found it: the city's rules, or a county platform (via the bridge)"
    )


class IntakeResult(BaseModel):
    alarm_id: uuid.UUID
    version: int
    stage: str
    applied: Literal["created", "updated", "duplicate", "stale"]


class HandleIn(BaseModel):
    """The enterprise's handling within the self-check window (企业自查处理)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "equipment_fault", "text": "脱硫循环泵跳闸，已复位并恢复运行"}]}
    )

    reason: HandlingReason
    text: str = Field(min_length=2, max_length=2000, description="what happened and what was done")


class ReviewIn(BaseModel):
    """The city's (or county's) review opinion (审核意见)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"decision": "reject", "opinion": "未提供有效证明材料，转执法核查"}]}
    )

    decision: ReviewDecision
    opinion: str = Field(min_length=2, max_length=2000)
    expected_revision: int | None = Field(
        default=None, description="the alarm's `revision` as the reviewer saw it; 409 when it has changed since"
    )


MAX_BULK_REVIEW = 200


class BulkReviewIn(BaseModel):
    """One opinion for many alarms (批量审核); each alarm is reviewed on its own, as if one by one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "alarm_ids": ["0f8fad5b-d9cb-469f-a165-70867728950e"],
                    "decision": "approve",
                    "opinion": "企业已提供检修记录，情况属实",
                }
            ]
        }
    )

    alarm_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BULK_REVIEW)
    decision: ReviewDecision
    opinion: str = Field(min_length=2, max_length=2000)


class BulkReviewResult(BaseModel):
    alarm_id: uuid.UUID
    ok: bool
    stage: str | None = Field(description="the alarm's stage after the review (None when it failed)")
    error: str | None = Field(description="why this alarm was not reviewed, as the single review would say it")
    code: str | None = Field(default=None, description="the error code (invalid_transition, not_found, …)")


class BulkReviewOut(BaseModel):
    results: list[BulkReviewResult]


class EventOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor: str
    role: str
    action: str
    action_label: str
    from_stage: str | None
    to_stage: str
    reason: str
    detail: dict[str, Any]
    seq: int
    prev_hash: str
    hash: str


class AlarmOut(BaseModel):
    id: uuid.UUID
    version: int
    type: str
    type_label: str
    ps_id: str
    enterprise_name: str
    county: str
    industry: str
    production_facility_id: str
    production_facility_name: str
    treatment_facility_id: str | None
    treatment_facility_name: str | None
    treatment_point_ids: list[str]
    start: datetime
    end: datetime
    ongoing: bool
    duration_minutes: int
    grade: str
    remark: str
    record_status: str
    source: str = Field(default="rules", description="rules | county (a county platform reported it)")
    stage: str
    stage_label: str
    open: bool
    revision: int
    received_at: datetime
    updated_at: datetime
    stage_changed_at: datetime
    self_check_deadline: datetime
    seconds_left: int | None = Field(description="seconds left in the self-check window while in enterprise_check")
    handled_at: datetime | None
    handled_by: str | None
    handling_reason: str | None
    handling_text: str | None
    escalated_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_decision: str | None
    review_opinion: str | None
    covered_by: uuid.UUID | None
    closed_at: datetime | None


class OpenCount(BaseModel):
    """The live count an enterprise's pages poll (待处理报警数)."""

    ps_id: str
    open: int
    awaiting_self_check: int
    next_deadline: datetime | None
    seconds_left: int | None


class PushStatus(BaseModel):
    """Where the push to the province stands (推送省平台)."""

    queued_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str | None


class AlarmDetail(AlarmOut):
    """The alarm with its record, its history and everything attached to it (报警处置单)."""

    record: dict[str, Any]
    allowed_actions: list[str]
    events: list[EventOut]
    declarations: list[DeclarationOut]
    task: TaskSummary | None
    inspection: InspectionOut | None
    province_push: PushStatus | None
