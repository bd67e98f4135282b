"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_registry.db import Base

__all__ = ["Base"]
