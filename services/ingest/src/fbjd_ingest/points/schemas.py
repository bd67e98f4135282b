"""Points in the API: power curves and live state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["PointLatest", "PowerSample", "PowerSeries"]


class PowerSample(BaseModel):
    t: datetime = Field(description="sample time, or bucket start when bucketed (UTC)")
    kw: float = Field(description="active power, kW (bucket average when bucketed)")
    min_kw: float | None = Field(description="bucket minimum; null for raw samples")
    max_kw: float | None = Field(description="bucket maximum; null for raw samples")


class PowerSeries(BaseModel):
    point_id: str
    ps_id: str
    quantity: str = Field(default="power_kw", description="always power_kw: measured, or derived from energy")
    start: datetime
    end: datetime
    step_seconds: int = Field(description="bucket width; for raw samples the point's data interval")
    samples: list[PowerSample]


class PointLatest(BaseModel):
    point_id: str
    ps_id: str
    mn: str
    kw: float | None = Field(description="last power value (measured, or derived from energy); null: unknown")
    data_time: datetime = Field(description="DataTime of that value (UTC)")
    received_at: datetime
