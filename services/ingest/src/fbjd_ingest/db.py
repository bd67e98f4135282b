"""The declarative base of schema `ingest`: every table of this service lives there."""

from __future__ import annotations

from fbjd_core.db import schema_metadata
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "ingest"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
