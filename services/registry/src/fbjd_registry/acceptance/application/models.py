"""One acceptance application per enterprise, with its form and where it stands.

`round` counts submissions: the county's audits belong to a round, so after a rectification and a new
submission the earlier audits no longer count (they stay in the change log).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Application"]


class Application(Base):
    __tablename__ = "acceptance_applications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer, default=0)
    form: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    passed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    filed_by: Mapped[str | None] = mapped_column(String(100))
    filed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acceptance_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
