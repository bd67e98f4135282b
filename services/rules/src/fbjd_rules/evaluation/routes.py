"""POST /notifications/readings (ingest → rules) and POST /evaluations (re-judge an enterprise from an instant)."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Request
from fbjd_core.ids import PsIdStr
from fbjd_core.time import now
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_rules.access import Notifier, Operator
from fbjd_rules.errors import InvalidInput
from fbjd_rules.evaluation import repository
from fbjd_rules.findings import service as findings

__all__ = ["router"]

router = APIRouter(tags=["evaluation"])


class ReadingWindow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ps_id: PsIdStr
    mn: Annotated[str, Field(min_length=1, max_length=64)]
    start: AwareDatetime
    end: AwareDatetime


class ReadingsNotification(BaseModel):
    """Data of these terminals in these windows was stored (new, late or resent)."""

    windows: Annotated[list[ReadingWindow], Field(max_length=100_000)]


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ps_id: PsIdStr
    start: AwareDatetime


class Accepted(BaseModel):
    accepted: int
    enterprises: int


@router.post("/notifications/readings", status_code=202)
async def readings_stored(body: ReadingsNotification, request: Request, _principal: Notifier) -> Accepted:
    """Mark the enterprises dirty (one transaction each) and wake the worker; evaluation runs asynchronously."""
    per_enterprise: dict[str, list[ReadingWindow]] = defaultdict(list)
    for window in body.windows:
        if window.end < window.start:
            raise InvalidInput(f"window of {window.mn} ends before it starts: {window.start} > {window.end}")
        per_enterprise[window.ps_id].append(window)
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    moment = now()
    for ps_id, windows in sorted(per_enterprise.items()):
        async with sessionmaker() as session, session.begin():
            await repository.mark_dirty(
                session,
                ps_id=ps_id,
                start=min(w.start for w in windows),
                now=moment,
                last_data_at=max(w.end for w in windows),
            )
            for window in windows:
                await repository.touch_device(
                    session, mn=window.mn, ps_id=ps_id, last_data_at=window.end, interval_s=None, now=moment
                )
                await findings.online_again(session, mn=window.mn, at=window.start, end=window.end, now=moment)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return Accepted(accepted=len(body.windows), enterprises=len(per_enterprise))


@router.post("/evaluations", status_code=202)
async def evaluate_from(body: EvaluationRequest, request: Request, _principal: Operator) -> Accepted:
    """Re-judge an enterprise from `start` (e.g. after a correction in the registry)."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session, session.begin():
        await repository.mark_dirty(session, ps_id=body.ps_id, start=body.start, now=now())
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return Accepted(accepted=1, enterprises=1)
