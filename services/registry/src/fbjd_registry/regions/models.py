"""A city (地市) and its counties (县、市、区), keyed by their GB/T 2260 administrative division codes."""

from __future__ import annotations

import uuid

from fbjd_core.ids import new_id
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["City", "County"]


class City(Base):
    __tablename__ = "cities"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(50))


class County(Base):
    __tablename__ = "counties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"))
