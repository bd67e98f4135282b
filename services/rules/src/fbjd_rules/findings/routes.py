"""GET /findings: operations findings (device and data) and threshold findings, scoped like records."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fbjd_core.db import SessionDep

from fbjd_rules.access import Reader
from fbjd_rules.findings import service
from fbjd_rules.findings.schemas import FindingOut

router = APIRouter(tags=["findings"])


@router.get("/findings")
async def list_findings(
    session: SessionDep,
    principal: Reader,
    ps_id: str | None = None,
    county: str | None = None,
    kind: str | None = None,
    status: Literal["open", "resolved", "withdrawn"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FindingOut]:
    rows = await service.list_visible(
        session,
        principal=principal,
        ps_id=ps_id,
        county=county,
        kind=kind,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [FindingOut.model_validate(row) for row in rows]
