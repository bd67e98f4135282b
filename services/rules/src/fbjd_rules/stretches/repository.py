"""The stored treatment records a judgement's stretches are compared with (read-only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.engine.records import AbnormalType

__all__ = ["open_treatment_records"]


async def open_treatment_records(
    session: AsyncSession, *, ps_id: str, start: datetime, end: datetime
) -> Sequence[AbnormalRecord]:
    """Open treatment abnormal records of the enterprise overlapping [start, end]."""
    query = select(AbnormalRecord).where(
        AbnormalRecord.ps_id == ps_id,
        AbnormalRecord.type == AbnormalType.TREATMENT.value,
        AbnormalRecord.status == "open",
        AbnormalRecord.end_at >= start,
        AbnormalRecord.start_at <= end,
    )
    return (await session.scalars(query)).all()
