"""Regions in and out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CityOut", "CountyIn", "CountyOut"]


class CountyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\d{6}$", title="代码")
    name: str = Field(min_length=2, max_length=50)


class CountyOut(BaseModel):
    code: str
    name: str
    city_code: str


class CityOut(BaseModel):
    code: str
    name: str
    counties: list[CountyOut]
