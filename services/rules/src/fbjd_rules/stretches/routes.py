"""GET /stretches?ps_id=&from=&to=: rule 1 as the data shows it, judged now, for the province's review."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fbjd_core.db import SessionDep
from fbjd_core.ids import PSID_PATTERN
from fbjd_core.time import from_cst, now

from fbjd_rules.access import Auditor
from fbjd_rules.stretches.schemas import StretchesOut
from fbjd_rules.stretches.service import enterprise_stretches

router = APIRouter(tags=["stretches"])


@router.get("/stretches", response_model_by_alias=True)
async def list_stretches(
    request: Request,
    session: SessionDep,
    principal: Auditor,
    ps_id: Annotated[str, Query(pattern=PSID_PATTERN)],
    from_: Annotated[datetime, Query(alias="from")],
    to: Annotated[datetime, Query()],
) -> StretchesOut:
    """Per production facility and treatment node, the stretches of [from, to) (at most 31 days): `abnormal`
    (each with its record's id, or null), `short`, `unknown`. Nothing is written. Times without a zone are read
    as China Standard Time; an enterprise of another county answers like a missing one (404)."""
    return await enterprise_stretches(
        session,
        request.app.state.registry,
        request.app.state.settings.rule_params(),
        principal=principal,
        ps_id=ps_id,
        start=from_cst(from_),
        end=from_cst(to),
        now=now(),
    )
