"""A declaration of an enterprise: before (a facility and a window, approved or refused by the city) or
after (an alarm, a reason and evidence files)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_workflow.db import Base

__all__ = ["Declaration"]


class Declaration(Base):
    __tablename__ = "declarations"
    __table_args__ = (Index("ix_declarations_ps_id_kind_status", "ps_id", "kind", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(8))  # before | after
    ps_id: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(12))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    alarm_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alarms.id"), index=True)  # after
    facility_id: Mapped[str | None] = mapped_column(String(64))  # before
    facility_name: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # before: the window
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason_code: Mapped[str] = mapped_column(String(32))
    reason_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | refused (before); submitted (after)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_opinion: Mapped[str | None] = mapped_column(Text)
