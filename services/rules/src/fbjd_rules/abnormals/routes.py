"""GET /abnormals (filters and scopes) and GET /abnormals/{id} with its evidence."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep
from fbjd_core.time import from_cst

from fbjd_rules.abnormals import service
from fbjd_rules.abnormals.evidence import evidence_for
from fbjd_rules.abnormals.repository import RecordFilter
from fbjd_rules.abnormals.schemas import AbnormalOut, AbnormalWithEvidence
from fbjd_rules.access import Reader

router = APIRouter(tags=["abnormals"])


@router.get("/abnormals")
async def list_abnormals(
    session: SessionDep,
    principal: Reader,
    ps_id: str | None = None,
    county: str | None = None,
    type: Literal["treatment_abnormal", "stop_violation", "limit_violation", "offpeak_violation"] | None = None,
    grade: Literal["general", "serious", "grave"] | None = None,
    status: Literal["open", "withdrawn"] | None = None,
    from_: Annotated[datetime | None, Query(alias="from", description="records still going at or after")] = None,
    to: Annotated[datetime | None, Query(description="records starting before")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AbnormalOut]:
    """Newest first. Times without a zone are read as China Standard Time."""
    flt = RecordFilter(
        ps_id=ps_id,
        county=county,
        type=type,
        grade=grade,
        status=status,
        start_from=None if from_ is None else from_cst(from_),
        start_to=None if to is None else from_cst(to),
        limit=limit,
        offset=offset,
    )
    return [AbnormalOut.of(row) for row in await service.list_visible(session, principal=principal, flt=flt)]


@router.get("/abnormals/{record_id}")
async def get_abnormal(record_id: uuid.UUID, session: SessionDep, principal: Reader) -> AbnormalWithEvidence:
    row = await service.get_visible(session, principal=principal, record_id=record_id)
    evidence = await evidence_for(session, row)
    return AbnormalWithEvidence(**AbnormalOut.of(row).model_dump(), evidence=evidence)
