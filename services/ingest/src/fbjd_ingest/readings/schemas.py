"""Received data as the API shows it: per received (CN, DataTime), the values of each factor code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["DeviceData", "ReceivedPacket", "ReceivedValue"]


class ReceivedValue(BaseModel):
    quantity: str | None = Field(description="what the device's profile says the code measures; null: unmapped")
    point_id: str | None
    rtd: float | None
    avg: float | None
    min: float | None
    max: float | None
    cou: float | None
    flag: str | None = Field(description="HJ 212 data flag (N normal, F stopped, M maintenance, D fault, ...)")
    extra: dict[str, Any] | None = Field(description="every other field, as sent")


class ReceivedPacket(BaseModel):
    cn: str
    data_time: datetime = Field(description="DataTime, UTC (terminals send CST wall-clock time)")
    received_at: datetime
    qn: str | None
    flag: int | None
    pnum: int | None
    pno: int | None
    params: dict[str, Any] | None = Field(description="non-factor CP fields other than DataTime (e.g. RestartTime)")
    values: dict[str, ReceivedValue] = Field(description="factor code → values (split packets merged)")


class DeviceData(BaseModel):
    mn: str
    start: datetime
    end: datetime
    cn: str | None
    items: list[ReceivedPacket]
    next_cursor: str | None = Field(description="pass as `cursor` to get the next page; null on the last page")
