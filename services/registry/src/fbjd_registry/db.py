"""The declarative base of schema `registry`: every table of this service lives there."""

from __future__ import annotations

from fbjd_core.db import make_base

SCHEMA = "registry"
Base = make_base(SCHEMA)
