"""Quarantine as the operator sees it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["QuarantineGroup", "QuarantineList", "QuarantinePacketOut", "QuarantinePackets"]


class QuarantinePacketOut(BaseModel):
    id: str
    reason: str
    peer: str | None
    received_at: datetime
    st: str | None
    cn: str | None
    qn: str | None
    data_time: datetime | None
    raw: str = Field(description="the packet as received (PW masked); undecodable bytes shown as U+FFFD")


class QuarantineGroup(BaseModel):
    mn: str
    reason: str
    packets: int
    first_received_at: datetime
    last_received_at: datetime
    peers: list[str]
    cns: list[str]
    samples: list[QuarantinePacketOut] = Field(description="the latest few packets")


class QuarantineList(BaseModel):
    items: list[QuarantineGroup]
    total_packets: int


class QuarantinePackets(BaseModel):
    mn: str
    items: list[QuarantinePacketOut]
