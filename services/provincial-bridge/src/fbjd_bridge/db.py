"""The declarative base of schema `bridge`: every table of this service lives there."""

from __future__ import annotations

from fbjd_core.db import make_base

SCHEMA = "bridge"
Base = make_base(SCHEMA)
