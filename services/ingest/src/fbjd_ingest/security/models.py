"""Tables ingest.security_events and ingest.link_errors_daily."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_ingest.db import Base

__all__ = ["LinkErrorDaily", "SecurityEvent"]


class SecurityEvent(Base):
    """A refused packet that may be an attack or a misconfigured terminal (kind `wrong_password`)."""

    __tablename__ = "security_events"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(Text)
    ps_id: Mapped[str | None] = mapped_column(Text)
    mn: Mapped[str] = mapped_column(Text)
    peer: Mapped[str | None] = mapped_column(Text)
    cn: Mapped[str | None] = mapped_column(Text)
    qn: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class LinkErrorDaily(Base):
    """Bad frames and unparsable messages per day, peer address, MN (when known) and error type."""

    __tablename__ = "link_errors_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    peer: Mapped[str] = mapped_column(Text, primary_key=True)
    mn: Mapped[str] = mapped_column(Text, primary_key=True, default="")
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
