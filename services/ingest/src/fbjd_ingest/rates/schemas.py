"""Transmission rates in the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

__all__ = ["DayRate", "DeviceRates", "RateSummary", "RatesList"]


class DayRate(BaseModel):
    day: date = Field(description="China-Standard-Time calendar day")
    received: int = Field(description="distinct DataTimes received (resends counted once)")
    expected: int = Field(description="intervals in the part of the day the device was expected to send")
    rate: float | None = Field(description="min(received, expected) ÷ expected; null when nothing was expected")


class RateSummary(BaseModel):
    mn: str
    ps_id: str
    name: str
    cn: str
    expected_interval_s: int
    received: int
    expected: int
    rate: float | None
    needs_maintenance: bool = Field(description="monthly rate below 90% (the guideline's maintenance mark)")


class DeviceRates(RateSummary):
    month: str
    days: list[DayRate]


class RatesList(BaseModel):
    month: str
    items: list[RateSummary]
