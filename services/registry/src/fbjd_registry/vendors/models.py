"""Technical units, their assignments to enterprises, and the city's blacklist (with its history)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["BlacklistEntry", "Vendor", "VendorAssignment"]


class Vendor(Base):
    """建设厂商 or 第三方运营商, identified by its unified social credit code."""

    __tablename__ = "vendors"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # builder | operator
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))


class VendorAssignment(Base):
    """Who built (builder) or operates (operator) an enterprise's installation."""

    __tablename__ = "vendor_assignments"
    __table_args__ = (UniqueConstraint("ps_id", "vendor_id", "role", name="uq_vendor_assignments_ps_vendor_role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # builder | operator


class BlacklistEntry(Base):
    """One listing on the city's blacklist; removing it keeps the row (removed_at, by whom, why)."""

    __tablename__ = "vendor_blacklist"
    __table_args__ = (
        Index(
            "uq_vendor_blacklist_listed",
            "vendor_id",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    listed_by: Mapped[str] = mapped_column(String(100))
    listed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(100))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removal_reason: Mapped[str | None] = mapped_column(String(1000))
