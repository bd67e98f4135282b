"""Facilities in and out."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.vocabulary import FacilityKind

__all__ = ["FacilityIn", "FacilityOut", "FacilityPatch"]


def _strip_name(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise PydanticCustomError("registry", "不能只填空格")
    return value.strip()


class FacilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=100, description="e.g. 喷雾干燥塔, 1#烧成窑, 脱硫塔")
    kind: FacilityKind
    process: str | None = Field(default=None, max_length=100, description="工艺/生产线, e.g. 1#生产线")
    rated_kw: float | None = Field(default=None, gt=0, le=1_000_000)
    needs_treatment: bool = Field(default=True, description="production only: must it have linked treatment")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _strip_name(value)


class FacilityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=100)
    kind: FacilityKind | None = None
    process: str | None = Field(default=None, max_length=100)
    rated_kw: float | None = Field(default=None, gt=0, le=1_000_000)
    needs_treatment: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _strip_name(value)


class FacilityOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    name: str
    kind: FacilityKind
    process: str | None
    rated_kw: float | None
    needs_treatment: bool
