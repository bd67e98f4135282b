"""Accounts that may obtain a token: people (password flow) and machine clients (client credentials);
the hash-chained audit log of what happened to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from fbjd_core.time import now
from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_gateway.db import Base

__all__ = ["Account", "AuditEntry", "Base"]


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    county: Mapped[str | None] = mapped_column(String(12))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    is_machine: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AuditEntry(Base):
    """One line of the security audit log (安全审计日志). Append-only (a trigger refuses UPDATE, DELETE and
    TRUNCATE); `hash` = sha256(prev_hash + canonical JSON of the line), so any later change shows."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(96))
    subject: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
