"""The workflow → bridge contract: one disposition result (a stage an alarm reached), and how it is read back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import PsIdStr
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from fbjd_bridge.storable import refuse_nul

__all__ = ["DispositionIn", "DispositionOut", "DispositionReceipt"]


class DispositionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    alarm_id: uuid.UUID = Field(description="the abnormal record's id")
    ps_id: PsIdStr
    stage: str = Field(min_length=1, max_length=32, description="e.g. rejected 审核不通过, inspected 已现场核查")
    opinion: str | None = None
    at: AwareDatetime
    inspection: dict[str, Any] | None = None

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return refuse_nul(value)


class DispositionReceipt(BaseModel):
    alarm_id: uuid.UUID
    stage: str
    accepted: bool  # False: this (alarm, stage) was already here — a no-op


class DispositionOut(BaseModel):
    alarm_id: uuid.UUID
    ps_id: str
    stage: str
    opinion: str | None
    at: datetime
    inspection: dict[str, Any] | None
    received_at: datetime
