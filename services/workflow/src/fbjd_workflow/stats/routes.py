"""GET /stats: counts by stage, county, industry, type and grade, and the stage durations (time to enterprise
handling, to city review, to inspection), over the caller's scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Query
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.access import Reader
from fbjd_workflow.alarms.states import OPEN_STAGES
from fbjd_workflow.stats import repository
from fbjd_workflow.stats.schemas import GroupCount, StageDuration, Stats

router = APIRouter(tags=["statistics"])
_OPEN = {s.value for s in OPEN_STAGES}


async def _groups(session: AsyncSession, scope: repository.StatsScope, by: str) -> list[GroupCount]:
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for key, stage, count in await repository.counts(session, scope, by=by):
        grouped[key][stage] = count
    return [
        GroupCount(
            key=key,
            total=sum(stages.values()),
            open=sum(n for s, n in stages.items() if s in _OPEN),
            by_stage=stages,
        )
        for key, stages in grouped.items()
    ]


@router.get("/stats")
async def stats(
    session: SessionDep,
    principal: Reader,
    county: str | None = None,
    received_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    received_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Stats:
    if principal.role is Role.COUNTY:
        county = principal.county if county in (None, principal.county) else "-"
    scope = repository.StatsScope(
        ps_id=principal.enterprise_id if principal.role is Role.ENTERPRISE else None,
        county=county,
        received_from=received_from,
        received_to=received_to,
    )
    by_stage = dict(await repository.counts(session, scope, by="stage"))
    durations = {}
    for stage in ("enterprise_handling", "city_review", "inspection"):
        count, average, longest = await repository.duration(session, scope, stage=stage)
        durations[stage] = StageDuration(count=count, average_minutes=average, longest_minutes=longest)
    return Stats(
        total=sum(by_stage.values()),
        open=sum(n for s, n in by_stage.items() if s in _OPEN),
        by_stage=by_stage,
        by_county=await _groups(session, scope, "county"),
        by_industry=await _groups(session, scope, "industry"),
        by_type=await _groups(session, scope, "type"),
        by_grade=await _groups(session, scope, "grade"),
        durations=durations,
    )
