"""A file kept in the database (bytea): small (≤ 20 MB by default), few, and bound to one record, so one backup
holds all."""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_workflow.db import Base

__all__ = ["StoredFile"]


class StoredFile(Base):
    __tablename__ = "files"
    __table_args__ = (Index("ix_files_owner", "owner_kind", "owner_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    owner_kind: Mapped[str] = mapped_column(String(16))  # declaration | inspection
    owner_id: Mapped[uuid.UUID] = mapped_column()
    ps_id: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(200))  # sanitised
    content_type: Mapped[str] = mapped_column(String(100))  # judged from the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only for a download
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
