"""The declarative base of schema `ingest`: every table of this service lives there."""

from __future__ import annotations

from fbjd_core.db import make_base

SCHEMA = "ingest"
Base = make_base(SCHEMA)
