"""Declarations in and out: 提前申报 (before: facility, window, reason) and 事后申报 (after: reason, evidence)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fbjd_workflow.files.schemas import FileOut
from fbjd_workflow.vocabulary import PreDeclarationReason

__all__ = ["DeclarationDecisionIn", "DeclarationOut", "PreDeclarationIn"]


class PreDeclarationIn(BaseModel):
    """提前申报: a facility will look abnormal in a coming window, for a reason the city approves in advance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "facility_id": "tf-01",
                    "facility_name": "1#脱硫塔",
                    "starts_at": "2026-12-01T00:00:00+08:00",
                    "ends_at": "2026-12-03T18:00:00+08:00",
                    "reason": "overhaul",
                    "text": "重污染天气应急期间脱硫塔检修，窑炉保温用电但不生产",
                }
            ]
        }
    )

    ps_id: str | None = Field(default=None, description="the enterprise's psId; an enterprise user's own by default")
    facility_id: str = Field(min_length=1, max_length=64)
    facility_name: str = Field(default="", max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: PreDeclarationReason
    text: str = Field(min_length=2, max_length=2000)


class DeclarationDecisionIn(BaseModel):
    """The city's decision on a pre-declaration (审批意见)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"decision": "approve", "opinion": "同意检修申报"}]})

    decision: Literal["approve", "refuse"]
    opinion: str = Field(min_length=2, max_length=2000)


class DeclarationOut(BaseModel):
    id: uuid.UUID
    kind: str
    kind_label: str
    ps_id: str
    county: str
    enterprise_name: str
    alarm_id: uuid.UUID | None
    facility_id: str | None
    facility_name: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str
    reason_label: str
    text: str
    status: str
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_opinion: str | None
    files: list[FileOut]
