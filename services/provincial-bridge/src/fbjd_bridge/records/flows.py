"""A record version arrives: store it and write its outbox row in one transaction (the transactional outbox).

The commit happens at the edge (the session dependency) before the 202 is sent, so a record the rules
service saw acknowledged is in the outbox; a crash before the commit loses the POST, which the rules'
own outbox sends again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.outbox import service as outbox
from fbjd_bridge.records import service
from fbjd_bridge.records.schemas import AbnormalIn, ArrivalOut

__all__ = ["receive"]

log = logging.getLogger(__name__)


async def receive(session: AsyncSession, record: AbnormalIn, *, at: datetime) -> ArrivalOut:
    row, new = await service.store(session, record, at=at)
    if not new:
        return ArrivalOut.ignored(record, row.version)
    outcome = await outbox.enqueue(session, record, at=at)
    log.info(
        "record received",
        extra={"record_id": str(record.id), "version": record.version, "ps_id": record.ps_id, "outbox": outcome},
    )
    return ArrivalOut(id=record.id, version=record.version, accepted=True, outbox=outcome)
