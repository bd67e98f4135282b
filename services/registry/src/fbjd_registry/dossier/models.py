"""One row per filled section of an enterprise's dossier; its files are documents (area dossier)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.ids import new_id
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["DossierSectionRow"]


class DossierSectionRow(Base):
    __tablename__ = "dossier_sections"
    __table_args__ = (UniqueConstraint("ps_id", "section", name="uq_dossier_sections_ps_id_section"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"))
    section: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
