"""Table ingest.devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_ingest.db import Base

__all__ = ["Device"]


class Device(Base):
    """A data transmission terminal (数采仪). `mn` is the business key; `ps_id` the enterprise that owns it."""

    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    mn: Mapped[str] = mapped_column(Text, unique=True)
    password: Mapped[str] = mapped_column(Text)
    ps_id: Mapped[str] = mapped_column(Text, index=True)
    county: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    profile: Mapped[str] = mapped_column(Text)
    factor_map: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    rtd_interval_s: Mapped[int] = mapped_column(Integer)
    min_interval_s: Mapped[int] = mapped_column(Integer)
    data_cn: Mapped[str] = mapped_column(Text, default="2051")
    protocol_version: Mapped[str | None] = mapped_column(Text)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_peer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
