"""A maintenance ticket (运维工单) and its append-only, hash-chained history.

One ticket per finding of the rules (terminal offline, power-off, stuck value, low transmission rate, clock
skew, implausible values): the finding as last sent (`finding`, JSONB, plus the columns the lists filter on),
the operator it is assigned to (运维单位, as far as the creator knew it), and where the ticket stands: assigned →
in_progress (who started work, when) → closed (resolved by a person with a maintenance record, or closed by the
rules when the finding was resolved or withdrawn); see maintenance.states. Every row carries ps_id and county
(scope, distribution).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_workflow.audit.chain import GENESIS
from fbjd_workflow.db import Base

__all__ = ["MaintenanceTicket", "TicketEvent"]


class MaintenanceTicket(Base):
    __tablename__ = "maintenance_tickets"
    __table_args__ = (
        CheckConstraint("status IN ('assigned', 'in_progress', 'closed')", name="status"),
        Index("ix_maintenance_tickets_ps_id_status", "ps_id", "status"),
        Index("ix_maintenance_tickets_county_status", "county", "status"),
        Index(
            "ix_maintenance_tickets_overdue",
            "deadline_at",
            postgresql_where=text("status IN ('assigned', 'in_progress') AND escalated_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    finding_id: Mapped[uuid.UUID] = mapped_column(unique=True)  # the rules' finding (deterministic id)
    finding_version: Mapped[int] = mapped_column(Integer)
    finding: Mapped[dict[str, Any]] = mapped_column(JSONB)  # as the rules last sent it
    finding_status: Mapped[str] = mapped_column(String(16))  # open | resolved | withdrawn
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    ps_id: Mapped[str] = mapped_column(String(32))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(12))
    mn: Mapped[str | None] = mapped_column(String(64))
    point_id: Mapped[str | None] = mapped_column(String(64))
    problem: Mapped[str] = mapped_column(Text)  # the finding's message, in words a person reads
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    status: Mapped[str] = mapped_column(String(16))  # assigned | in_progress | closed (states.Status)
    operator_name: Mapped[str | None] = mapped_column(String(100))  # 第三方运维单位; None: not known at creation
    operator_phone: Mapped[str | None] = mapped_column(String(20))
    work_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # assigned → in_progress
    work_started_by: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # overdue → the city
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(String(32))  # resolved | finding_resolved | finding_withdrawn
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the maintenance record (运维记录)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    event_count: Mapped[int] = mapped_column(Integer, server_default="0")
    head_hash: Mapped[str] = mapped_column(String(64), server_default=GENESIS)


class TicketEvent(Base):
    """One step of a ticket's history; append-only (database trigger) and hash-chained per ticket."""

    __tablename__ = "maintenance_ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "seq", name="uq_maintenance_ticket_events_ticket_id_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("maintenance_tickets.id"), index=True)
    ps_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
