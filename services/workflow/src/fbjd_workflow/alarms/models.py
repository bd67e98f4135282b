"""An alarm (报警) and its append-only history of events (处置记录).

The alarm carries the abnormal record as the rules last sent it (`record`, JSONB, plus the columns the
queues filter on) and where it stands in the process. It carries ps_id and county on every row, so scope
checks and a later distribution by enterprise need no join.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_workflow.audit.chain import GENESIS
from fbjd_workflow.db import Base

__all__ = ["Alarm", "AlarmEvent"]


class Alarm(Base):
    __tablename__ = "alarms"
    __table_args__ = (
        Index("ix_alarms_stage_escalated_at", "stage", "escalated_at"),
        Index("ix_alarms_ps_id_stage", "ps_id", "stage"),
        Index("ix_alarms_county_stage", "county", "stage"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the abnormal record's id (deterministic, rules)
    version: Mapped[int] = mapped_column(Integer)  # the record's version as last applied
    record: Mapped[dict[str, Any]] = mapped_column(JSONB)
    record_status: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    ps_id: Mapped[str] = mapped_column(String(32))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(12))
    industry: Mapped[str] = mapped_column(String(50))
    production_facility_id: Mapped[str] = mapped_column(String(64))
    treatment_facility_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ongoing: Mapped[bool] = mapped_column(Boolean)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(16))

    stage: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every transition (optimistic checks)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stage_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    self_check_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handling_reason: Mapped[str | None] = mapped_column(String(32))
    handling_text: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review_decision: Mapped[str | None] = mapped_column(String(16))
    review_opinion: Mapped[str | None] = mapped_column(Text)
    covered_by: Mapped[uuid.UUID | None] = mapped_column()  # the pre-declaration that covers it
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    event_count: Mapped[int] = mapped_column(Integer, server_default="0")  # the history's last `seq`
    head_hash: Mapped[str] = mapped_column(String(64), server_default=GENESIS)  # the history's last `hash`


class AlarmEvent(Base):
    """One step of an alarm's history. Append-only: a database trigger refuses UPDATE and DELETE; hash-chained
    per alarm (`seq`, `prev_hash`, `hash`: see `fbjd_workflow.audit.chain`), so an edit made around the
    trigger is still found by the verification."""

    __tablename__ = "alarm_events"
    __table_args__ = (UniqueConstraint("alarm_id", "seq", name="uq_alarm_events_alarm_id_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"), index=True)
    ps_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))  # the user or client subject, or "system"
    role: Mapped[str] = mapped_column(String(20))  # the caller's role, or "system"
    action: Mapped[str] = mapped_column(String(20))
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)  # why, in words a person reads
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
