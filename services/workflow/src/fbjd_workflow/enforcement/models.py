"""An enforcement task (执法任务) and its inspection record (现场检查记录)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_workflow.db import Base

__all__ = ["EnforcementTask", "InspectionRecord"]


class EnforcementTask(Base):
    __tablename__ = "enforcement_tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"), unique=True)
    ps_id: Mapped[str] = mapped_column(String(32), index=True)
    county: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))  # new | accepted | completed | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[str | None] = mapped_column(String(100))  # the enforcement client's subject
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    site: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # the registry's site facts at creation


class InspectionRecord(Base):
    __tablename__ = "inspection_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enforcement_tasks.id"), unique=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarms.id"), index=True)
    ps_id: Mapped[str] = mapped_column(String(32))
    officer_name: Mapped[str] = mapped_column(String(50))
    officer_id: Mapped[str] = mapped_column(String(50))
    inspected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    findings: Mapped[str] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
