"""The rules → bridge contract: one abnormal record (异常记录) per POST, one version of it.

The bridge is a tolerant reader: unknown fields are ignored (the rules service may add some), the fields it
needs are checked. `start`/`end` are ISO instants; a naive one is refused (UTC in, CST only at the edge).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fbjd_core.ids import PsIdStr
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from fbjd_bridge.storable import INT_MAX, refuse_nul

__all__ = ["AbnormalIn", "AbnormalType", "ArrivalOut", "RecordStatus"]

AbnormalType = Literal["treatment_abnormal", "stop_violation", "limit_violation", "offpeak_violation"]
RecordStatus = Literal["open", "withdrawn"]


class AbnormalIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: uuid.UUID = Field(description="deterministic record id (the rules' uuid5)")
    version: int = Field(ge=1, le=INT_MAX, description="increments on each change of the record")
    type: AbnormalType
    ps_id: PsIdStr
    enterprise_name: str
    county: str | None = None
    industry: str | None = None
    production_facility_id: str = Field(min_length=1)
    production_facility_name: str
    treatment_facility_id: str | None = None
    treatment_facility_name: str | None = None
    treatment_point_id: str | None = None
    treatment_point_ids: list[str] = Field(default_factory=list, description="main/standby points of the node")
    start: AwareDatetime
    end: AwareDatetime
    ongoing: bool
    duration_minutes: int
    grade: Literal["general", "serious", "grave"]
    production_threshold_kw: float | None = None
    treatment_threshold_kw: float | None = None
    judgement_minutes: int
    limit_ratio: float | None = None
    remark: str
    status: RecordStatus = "open"

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return refuse_nul(value)

    def as_json(self) -> dict[str, Any]:
        """The record as it is stored and shown to the province's read API (the contract's JSON)."""
        return self.model_dump(mode="json")


class ArrivalOut(BaseModel):
    """The answer to a posted record: what the bridge did with this version."""

    id: uuid.UUID
    version: int
    accepted: bool  # False: the same or a newer version was already here (a no-op)
    outbox: Literal["queued", "not_pushed", "unmappable", "ignored"]
    detail: str | None = None

    @classmethod
    def ignored(cls, record: AbnormalIn, stored_version: int) -> ArrivalOut:
        return cls(
            id=record.id,
            version=record.version,
            accepted=False,
            outbox="ignored",
            detail=f"version {stored_version} is already here",
        )
