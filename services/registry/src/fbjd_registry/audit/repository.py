"""Queries of stored audit results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.audit.models import AuditResult

__all__ = ["get", "save"]


async def get(session: AsyncSession, ps_id: str) -> AuditResult | None:
    return await session.get(AuditResult, ps_id)


async def save(
    session: AsyncSession, *, ps_id: str, ran_at: datetime, errors: int, warnings: int, findings: list[dict[str, Any]]
) -> None:
    values = {"ps_id": ps_id, "ran_at": ran_at, "errors": errors, "warnings": warnings, "findings": findings}
    statement = insert(AuditResult).values(**values)
    statement = statement.on_conflict_do_update(index_elements=[AuditResult.ps_id], set_=values)
    await session.execute(statement)
