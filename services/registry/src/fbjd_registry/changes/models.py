"""The change log (变更记录): every write to the registry, with its full before and after.

One row per entity changed: who, when, what entity, the old and the new state as JSON (the entity's API
representation). The row with the latest `at` ≤ t of an entity is its state at t, so the log answers
"what did the registry say at time t" for every entity, and nothing is ever rewritten.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import BigInteger, DateTime, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Change"]


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_ps_id_entity_at", "ps_id", "entity", "entity_id", "at"),
        Index("ix_changes_entity_entity_id", "entity", "entity_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    ps_id: Mapped[str | None] = mapped_column(String(32))  # None for city-wide entities (regions, periods)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8))  # create | update | delete
    old: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
