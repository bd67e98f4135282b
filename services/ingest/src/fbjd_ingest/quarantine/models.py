"""Table ingest.quarantine."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_ingest.db import Base

__all__ = ["QuarantinedPacket"]


class QuarantinedPacket(Base):
    """A packet kept raw because it could not become readings (yet): unknown MN, no DataTime, and so on.

    `reason` says why; `adopted_at` is set when its readings were stored after the MN was registered.
    """

    __tablename__ = "quarantine"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    mn: Mapped[str] = mapped_column(Text)
    ps_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    peer: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    st: Mapped[str | None] = mapped_column(Text)
    cn: Mapped[str | None] = mapped_column(Text)
    qn: Mapped[str | None] = mapped_column(Text)
    data_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    adopted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
