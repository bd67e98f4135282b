"""The overview in the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["EnterpriseOverview", "Overview"]


class EnterpriseOverview(BaseModel):
    ps_id: str
    devices: int
    online_now: int
    transmission_rate_month: float | None = Field(description="received ÷ expected DataTimes this month so far")


class Overview(BaseModel):
    devices_total: int
    online_now: int = Field(description="data within online_factor × the device's data interval")
    offline_now: int
    online_rate_today: float | None = Field(description="share of devices that sent data today (CST)")
    transmission_rate_month: float | None = Field(
        description="received ÷ expected DataTimes this month so far (CST), all devices in scope"
    )
    enterprises: list[EnterpriseOverview]
