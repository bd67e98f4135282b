"""Table bridge.county_reports: what county platforms reported (区县平台上报的异常记录), merged as the province merges.

One row per record as the province would hold it: per endpoint, enterprise and point (the treatment point;
for limit records the production facility), consecutive reports whose spans overlap or touch are one record.
`id` is uuid5 of the key of the report that opened the record (endpoint, psId, point, exTimeStart) and never
changes: it is the city alarm's id. `version` counts the record's changes.

The row is its own outbox entry to the workflow: `delivered_version < version` means the newest version still
has to reach the workflow's intake. It is written in the transaction that stores the report, so a report
answered `success: true` is never lost, and only the newest version is ever sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["CountyReport"]


class CountyReport(Base):
    __tablename__ = "county_reports"
    __table_args__ = (
        Index("ix_county_reports_point", "endpoint", "ps_id", "point", "start_at"),
        Index("ix_county_reports_county", "county", "updated_at"),
        Index("ix_county_reports_undelivered", "next_attempt_at", postgresql_where=text("delivered_version < version")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(16))  # abnormal | limit
    ps_id: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(12))  # the enterprise's county (the registry's)
    point: Mapped[str] = mapped_column(String(64))  # treatmentAmmeterId | productorEquipId (limit)
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    item: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the latest report, as received
    context: Mapped[dict[str, Any]] = mapped_column(JSONB)  # registry names for the alarm (enterprise, facilities)
    status: Mapped[str] = mapped_column(String(16))  # open | merged (absorbed into `merged_into`)
    merged_into: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reports: Mapped[int] = mapped_column(Integer)  # reports merged into this record
    version: Mapped[int] = mapped_column(Integer)
    reported_by: Mapped[str] = mapped_column(String(200))  # the latest reporter (token subject)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    delivered_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # failed tries of this version
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    alarm_stage: Mapped[str | None] = mapped_column(String(40), nullable=True)  # as the workflow answered
