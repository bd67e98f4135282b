"""The transaction edge of every request: re-audit the enterprises changed, then commit.

The commit itself is the core's session dependency (before the response is sent; a unique key taken by a
concurrent request answers 409); the registry adds its audit as the core's before-commit hook (`app.py`).
"""

from __future__ import annotations

from fbjd_core.db import SessionDep
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.audit.service import refresh_changed

__all__ = ["SessionDep", "finish"]


async def finish(session: AsyncSession) -> None:
    """What every writer does before commit: re-run the audit of each enterprise it changed."""
    await refresh_changed(session)
