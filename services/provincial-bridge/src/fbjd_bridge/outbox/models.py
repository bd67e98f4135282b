"""Tables bridge.outbox (one row per record version to push) and bridge.endpoints (per-endpoint state).

An outbox row is written in the transaction that stores the record's version. Its `body` is the province's
item, computed at arrival (what is sent is fixed then; a record that cannot be mapped is a dead letter at
once). States:

    pending ──accepted──▶ sent
    pending ──a newer version of the record arrived, or it was withdrawn──▶ superseded
    pending ──rejected `invalid_max_attempts` times──▶ dead ──operator retries──▶ pending

`suspect` marks a row of a batch the province rejected: it is retried alone, so one invalid record is
found and dead-lettered without holding up the others. Rows carry the psId: no transaction of the sender
spans two enterprises (DESIGN.md, data at scale).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["EndpointState", "OutboxRow"]


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'superseded', 'dead')", name="state"),
        Index("ix_outbox_pending", "endpoint", "ps_id", "seq", postgresql_where=text("state = 'pending'")),
        Index("ix_outbox_record_id", "record_id"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    ps_id: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # None: the record could not be mapped
    state: Mapped[str] = mapped_column(String(16))
    suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_reply: Mapped[str | None] = mapped_column(Text)


class EndpointState(Base):
    """One row per province endpoint: the back-off of an outage and what the city's status page shows."""

    __tablename__ = "endpoints"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)  # abnormal | limit
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
