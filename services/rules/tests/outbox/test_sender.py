"""The outbox to workflow: an outage loses nothing; versions arrive in order; delivered once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fbjd_core.time import now
from fbjd_rules.outbox.models import OutboxMessage
from sqlalchemy import select


async def _attempts(app: Any, ps_id: str) -> int:
    async with app.state.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.ps_id == ps_id))).all()
    return max((row.attempts for row in rows), default=0)


async def test_a_workflow_outage_loses_nothing(plant: Any, flow: Any, workflow: Any, registry_at: Any) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(120, 80.0)])
    await plant.power("fan", start, [(30, 30.0), (20, 1.0)])
    workflow.failing = True
    try:
        await flow.notify(plant, start, start + timedelta(minutes=50))
        for _ in range(200):
            if await _attempts(flow.app, plant.ps_id) >= 2:
                break
            await asyncio.sleep(0.05)
        assert await _attempts(flow.app, plant.ps_id) >= 2 and workflow.of(plant.ps_id) == []
        await plant.power("fan", start + timedelta(minutes=50), [(10, 1.0), (60, 30.0)])  # the record grows: v2
        await flow.notify(plant, start + timedelta(minutes=50), start + timedelta(minutes=120))
        await asyncio.sleep(0.5)
    finally:
        workflow.failing = False
    (record,) = await flow.settled(plant.ps_id)
    delivered = workflow.of(plant.ps_id)
    assert [m["version"] for m in delivered] == [2] and delivered[0]["duration_minutes"] == 30
    assert record["version"] == 2
