"""Storing disposition results: idempotent per (alarm, stage); the record is marked changed for the province."""

from __future__ import annotations

import logging
from datetime import datetime

from fbjd_core.ids import new_id
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.dispositions import repository
from fbjd_bridge.dispositions.models import Disposition
from fbjd_bridge.dispositions.schemas import DispositionIn, DispositionOut, DispositionReceipt
from fbjd_bridge.records import repository as records_repository

__all__ = ["out", "receive"]

log = logging.getLogger(__name__)


async def receive(session: AsyncSession, disposition: DispositionIn, *, at: datetime) -> DispositionReceipt:
    new = await repository.insert_once(
        session,
        {
            "id": new_id(),
            "alarm_id": disposition.alarm_id,
            "ps_id": disposition.ps_id,
            "stage": disposition.stage,
            "opinion": disposition.opinion,
            "at": disposition.at,
            "inspection": disposition.inspection,
            "received_at": at,
        },
    )
    if new:
        await records_repository.touch(session, disposition.alarm_id, at=at)
        log.info("disposition received", extra={"alarm_id": str(disposition.alarm_id), "stage": disposition.stage})
    return DispositionReceipt(alarm_id=disposition.alarm_id, stage=disposition.stage, accepted=new)


def out(row: Disposition) -> DispositionOut:
    return DispositionOut(
        alarm_id=row.alarm_id,
        ps_id=row.ps_id,
        stage=row.stage,
        opinion=row.opinion,
        at=row.at,
        inspection=row.inspection,
        received_at=row.received_at,
    )
