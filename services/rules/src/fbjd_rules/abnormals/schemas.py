"""Abnormal records out: the API's shape, and the workflow contract's payload (one record, one version)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.engine.records import utc_text

__all__ = ["AbnormalOut", "AbnormalWithEvidence", "EvidenceOut", "EvidenceSeries", "workflow_payload"]

AbnormalTypeName = Literal["treatment_abnormal", "stop_violation", "limit_violation", "offpeak_violation"]


class AbnormalOut(BaseModel):
    id: uuid.UUID
    version: int
    type: AbnormalTypeName
    status: Literal["open", "withdrawn"]
    ps_id: str
    enterprise_name: str
    county: str | None
    industry: str | None
    production_facility_id: str
    production_facility_name: str
    treatment_facility_id: str | None
    treatment_facility_name: str | None
    treatment_point_id: str | None
    treatment_point_ids: list[str]
    start: datetime
    end: datetime
    ongoing: bool
    duration_minutes: int
    grade: Literal["general", "serious", "grave"]
    production_threshold_kw: float | None
    treatment_threshold_kw: float | None
    judgement_minutes: int
    limit_ratio: float | None
    remark: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: AbnormalRecord) -> AbnormalOut:
        return cls(
            **{name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)},
            start=row.start_at,
            end=row.end_at,
        )


class EvidenceSample(BaseModel):
    t: datetime
    kw: float | None


class EvidenceSeries(BaseModel):
    point_id: str
    name: str
    role: str
    facility_id: str | None
    threshold_kw: float | None
    samples: list[EvidenceSample]


class EvidenceOut(BaseModel):
    """The readings of the record's points (production and treatment) over its window plus a margin."""

    start: datetime
    end: datetime
    points: list[EvidenceSeries]


class AbnormalWithEvidence(AbnormalOut):
    evidence: EvidenceOut


def workflow_payload(row: AbnormalRecord) -> dict[str, Any]:
    """The body of `POST {workflow}/api/workflow/abnormals` for this version of the record (the contract)."""
    return {
        "id": str(row.id),
        "version": row.version,
        "type": row.type,
        "ps_id": row.ps_id,
        "enterprise_name": row.enterprise_name,
        "county": row.county,
        "industry": row.industry,
        "production_facility_id": row.production_facility_id,
        "production_facility_name": row.production_facility_name,
        "treatment_facility_id": row.treatment_facility_id,
        "treatment_facility_name": row.treatment_facility_name,
        "treatment_point_id": row.treatment_point_id,
        "treatment_point_ids": list(row.treatment_point_ids),
        "start": utc_text(row.start_at),
        "end": utc_text(row.end_at),
        "ongoing": row.ongoing,
        "duration_minutes": row.duration_minutes,
        "grade": row.grade,
        "production_threshold_kw": row.production_threshold_kw,
        "treatment_threshold_kw": row.treatment_threshold_kw,
        "judgement_minutes": row.judgement_minutes,
        "limit_ratio": row.limit_ratio,
        "remark": row.remark,
        "status": row.status,
    }
