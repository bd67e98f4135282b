"""A production↔treatment correspondence (产治对应关系): many to many, both ends in one enterprise."""

from __future__ import annotations

import uuid

from fbjd_core.ids import new_id
from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Link"]


class Link(Base):
    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("production_facility_id", "treatment_facility_id", name="uq_links_pair"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(ForeignKey("enterprises.ps_id"), index=True)
    production_facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"))
    treatment_facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"), index=True)
