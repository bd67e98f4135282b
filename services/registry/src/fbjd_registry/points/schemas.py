"""Monitoring points in and out."""

from __future__ import annotations

import re
import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.vocabulary import PointRole, ThresholdSource

__all__ = ["PointIn", "PointOut", "PointPatch"]

_MN = re.compile(r"^[0-9A-Za-z]{1,24}$")
_FACTOR = re.compile(r"^[a-z][a-z0-9]{2,15}$")


class _PointChecks(BaseModel):
    @field_validator("name", check_fields=False)
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise PydanticCustomError("registry", "不能只填空格")
        return None if value is None else value.strip()

    @field_validator("mn", check_fields=False)
    @classmethod
    def _mn(cls, value: str | None) -> str | None:
        if value is not None and not _MN.match(value):
            raise PydanticCustomError(
                "registry", f"须为不超过24位的字母或数字（标准MN为24位大写十六进制），现为 {value!r}"
            )
        return value

    @field_validator("factor_code", check_fields=False)
    @classmethod
    def _factor_code(cls, value: str | None) -> str | None:
        if value is not None and not _FACTOR.match(value):
            raise PydanticCustomError(
                "registry", f"须为HJ 212监测因子编码（小写字母开头的字母数字，如 d20501、i33201），现为 {value!r}"
            )
        return value


class PointIn(_PointChecks):
    model_config = ConfigDict(extra="forbid")

    facility_id: uuid.UUID | None = Field(default=None, description="none only for a total incoming line")
    name: str = Field(min_length=2, max_length=100, description="facility and node, e.g. 喷雾干燥塔布袋除尘器-收尘风机")
    role: PointRole
    rated_kw: float | None = Field(default=None, gt=0, le=1_000_000)
    threshold_kw: float | None = Field(default=None, ge=0, le=1_000_000)
    threshold_source: ThresholdSource | None = None
    judgement_minutes: int = Field(default=15, ge=1, le=1440)
    mn: str | None = None
    factor_code: str | None = None
    standby_group: str | None = Field(default=None, min_length=1, max_length=20)


class PointPatch(_PointChecks):
    """Any subset of `PointIn`'s fields; null clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    facility_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=2, max_length=100)
    role: PointRole | None = None
    rated_kw: float | None = Field(default=None, gt=0, le=1_000_000)
    threshold_kw: float | None = Field(default=None, ge=0, le=1_000_000)
    threshold_source: ThresholdSource | None = None
    judgement_minutes: int | None = Field(default=None, ge=1, le=1440)
    mn: str | None = None
    factor_code: str | None = None
    standby_group: str | None = Field(default=None, min_length=1, max_length=20)


class PointOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    facility_id: uuid.UUID | None
    name: str
    role: PointRole
    rated_kw: float | None
    threshold_kw: float | None
    threshold_source: ThresholdSource | None
    judgement_minutes: int
    mn: str | None
    factor_code: str | None
    standby_group: str | None
