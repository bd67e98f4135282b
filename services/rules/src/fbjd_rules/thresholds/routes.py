"""Threshold proposals: list, learn now, accept (into the registry) or reject."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fbjd_core.auth import bearer_token
from fbjd_core.db import SessionDep
from fbjd_core.time import now

from fbjd_rules.access import Decider, Operator, Reader
from fbjd_rules.errors import InvalidInput
from fbjd_rules.thresholds import service
from fbjd_rules.thresholds.schemas import LearnIn, ProposalOut

router = APIRouter(tags=["thresholds"])


@router.get("/thresholds/proposals")
async def list_proposals(
    session: SessionDep,
    principal: Reader,
    ps_id: str | None = None,
    status: Literal["proposed", "accepted", "rejected", "superseded"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ProposalOut]:
    rows = await service.list_visible(
        session, principal=principal, ps_id=ps_id, status=status, limit=limit, offset=offset
    )
    return [ProposalOut.model_validate(row) for row in rows]


@router.post("/thresholds/learn", status_code=201)
async def learn(data: LearnIn, request: Request, session: SessionDep, _principal: Operator) -> list[ProposalOut]:
    """Learn every point of the enterprise from the `days` before `end` (default now)."""
    moment = now()
    rows = await service.learn_for_enterprise(
        session,
        registry=request.app.state.registry,
        ps_id=data.ps_id,
        end=data.end or moment,
        days=data.days,
        now=moment,
    )
    return [ProposalOut.model_validate(row) for row in rows]


@router.post("/thresholds/proposals/{proposal_id}/accept")
async def accept(proposal_id: uuid.UUID, request: Request, session: SessionDep, principal: Decider) -> ProposalOut:
    """Make the learned threshold the point's threshold in the registry (as the caller, so the log names them)."""
    bearer = bearer_token(request)
    if bearer is None:
        raise InvalidInput("missing bearer token")
    row = await service.accept(
        session,
        registry=request.app.state.registry,
        principal=principal,
        proposal_id=proposal_id,
        bearer=bearer,
        now=now(),
    )
    return ProposalOut.model_validate(row)


@router.post("/thresholds/proposals/{proposal_id}/reject")
async def reject(proposal_id: uuid.UUID, session: SessionDep, principal: Decider) -> ProposalOut:
    row = await service.reject(session, principal=principal, proposal_id=proposal_id, now=now())
    return ProposalOut.model_validate(row)
