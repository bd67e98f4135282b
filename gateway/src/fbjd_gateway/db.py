"""The declarative base of schema `gateway`: users and machine clients."""

from __future__ import annotations

from fbjd_core.db import make_base

SCHEMA = "gateway"
Base = make_base(SCHEMA)
