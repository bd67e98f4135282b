"""Table rules.findings: operations findings (terminal offline, implausible values) and threshold findings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_rules.db import Base

__all__ = ["Finding"]


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ps_id: Mapped[str] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)  # MN or point id (point id + code for a stuck value)
    severity: Mapped[str] = mapped_column(Text, default="general")  # general | serious | grave
    mn: Mapped[str | None] = mapped_column(Text, default=None)
    point_id: Mapped[str | None] = mapped_column(Text, default=None)
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(Text)  # open | resolved | withdrawn (the data later contradicted it)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)  # why resolved or withdrawn
    version: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every change; each version is pushed
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
