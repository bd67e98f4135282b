"""Table ingest.commands."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_ingest.db import Base

__all__ = ["Command"]


class Command(Base):
    """A command the center sent to a terminal, and what the terminal answered (matched by QN).

    `state`: sent → accepted (9011 QnRtn=1) → done (9012 ExeRtn=1); or rejected (QnRtn≠1), failed (ExeRtn≠1),
    timeout (no 9012 in time), disconnected (the connection closed first).
    """

    __tablename__ = "commands"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    ps_id: Mapped[str] = mapped_column(Text)
    mn: Mapped[str] = mapped_column(Text)
    qn: Mapped[str] = mapped_column(Text)
    cn: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    origin: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    qn_rtn: Mapped[int | None] = mapped_column(Integer)
    qn_rtn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exe_rtn: Mapped[int | None] = mapped_column(Integer)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
