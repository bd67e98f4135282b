"""What an evaluation produces: abnormal stretches with a deterministic identity.

Identity is a UUIDv5 of type, psId, production facility, treatment node (its first point, or the facility) and
start: re-evaluating the same data (late, resent, replayed) gives the same ids, so a record is corrected in
place, never doubled. A stretch whose start moves (late data filling its beginning) is a new id; the old one is
withdrawn by the caller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from fbjd_rules.engine.params import DEFAULT_PARAMS, RuleParams, grade_for

__all__ = ["Abnormal", "AbnormalType", "EvidencePoint", "RECORD_NAMESPACE", "record_id", "utc_text"]

RECORD_NAMESPACE = uuid.UUID("6c1f3a52-8f0e-5b7e-9d3c-2f0a4b1e7d90")


class AbnormalType(StrEnum):
    TREATMENT = "treatment_abnormal"  # 治理设施异常
    STOP = "stop_violation"  # 应停未停
    LIMIT = "limit_violation"  # 限产未限
    OFF_PEAK = "offpeak_violation"  # 错峰生产违规


ABNORMAL_LABELS = {
    AbnormalType.TREATMENT: "治理设施异常",
    AbnormalType.STOP: "应停未停",
    AbnormalType.LIMIT: "限产未限",
    AbnormalType.OFF_PEAK: "错峰生产违规",
}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_id(kind: str, ps_id: str, production_facility_id: str, node: str, start: datetime) -> uuid.UUID:
    return uuid.uuid5(RECORD_NAMESPACE, "|".join((kind, ps_id, production_facility_id, node, utc_text(start))))


@dataclass(frozen=True, slots=True)
class EvidencePoint:
    """A point whose readings prove the record, with the threshold it was judged by."""

    point_id: str
    name: str
    role: str
    facility_id: str | None
    threshold_kw: float | None


@dataclass(frozen=True, slots=True)
class Abnormal:
    type: AbnormalType
    ps_id: str
    enterprise_name: str
    county: str | None
    industry: str | None
    production_facility_id: str
    production_facility_name: str
    treatment_facility_id: str | None
    treatment_facility_name: str | None
    treatment_point_id: str | None
    treatment_point_ids: tuple[str, ...]
    start: datetime
    end: datetime
    ongoing: bool
    judgement_minutes: int
    production_threshold_kw: float | None
    treatment_threshold_kw: float | None
    limit_ratio: float | None
    remark: str
    evidence_points: tuple[EvidencePoint, ...] = ()
    params: RuleParams = DEFAULT_PARAMS

    @property
    def id(self) -> uuid.UUID:
        node = self.treatment_point_id or self.treatment_facility_id or ""
        return record_id(self.type.value, self.ps_id, self.production_facility_id, node, self.start)

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def grade(self) -> str:
        return grade_for(self.duration_minutes, self.params)
