"""Tables bridge.registry_items (what the province's pull last saw of each registry item) and
bridge.registry_state (when the registry was last read).

Every item the bridge serves has a digest of its province-form body; a refresh that finds a new digest (or an
item gone) gives the item the next `seq` from bridge.registry_seq. A cursor is a seq: "changes since cursor"
is every item with a larger seq, deletions included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Sequence, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["REGISTRY_SEQ", "RegistryItem", "RegistryState"]

REGISTRY_SEQ = Sequence("registry_seq", schema="bridge")


class RegistryItem(Base):
    __tablename__ = "registry_items"
    __table_args__ = (Index("ix_registry_items_seq", "seq"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # enterprise | productorEquip | treatment | …
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ps_id: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistryState(Base):
    __tablename__ = "registry_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
