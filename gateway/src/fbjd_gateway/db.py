"""The declarative base of schema `gateway`: users and machine clients."""

from __future__ import annotations

from fbjd_core.db import schema_metadata
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
