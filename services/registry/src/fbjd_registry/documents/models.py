"""Stored files: content-addressed blobs (one row per distinct SHA-256) and the documents that name them.

The bytes live in the database (bytea) rather than on disk: a document and its content are written in the
same transaction as the change-log row that records them, so a failed request leaves neither a half-written
file nor a document without content, and one backup holds all. Blobs are never deleted: a removed document's
change-log row still names its SHA-256, and the same file uploaded twice is kept once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Blob", "Document"]


class Blob(Base):
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))  # judged from the content
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only for a download
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_ps_id_area_section", "ps_id", "area", "section"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"))
    area: Mapped[str] = mapped_column(String(16))  # acceptance | dossier
    section: Mapped[str] = mapped_column(String(20))  # application | site_audit | a dossier section
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))  # sanitised
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
