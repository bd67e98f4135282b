"""The alarm API: records in from the rules, the queues, one alarm's 处置单, the enterprise's handling and the
city's review. Role checks here; scope checks in the process (404 outside the caller's scope)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep
from fbjd_core.time import now
from pydantic import AwareDatetime

from fbjd_workflow.access import EnterpriseUser, Ingestor, Reader, Reviewer
from fbjd_workflow.alarms import repository
from fbjd_workflow.alarms.schemas import (
    AbnormalRecordIn,
    AlarmDetail,
    AlarmOut,
    BulkReviewIn,
    BulkReviewOut,
    HandleIn,
    IntakeResult,
    OpenCount,
    ReviewIn,
)
from fbjd_workflow.alarms.service import load_visible
from fbjd_workflow.alarms.states import CLOSED_STAGES, OPEN_STAGES, Stage
from fbjd_workflow.config import SettingsDep
from fbjd_workflow.errors import InvalidInput, WorkflowNotFound
from fbjd_workflow.process.documents import alarm_detail, alarm_out
from fbjd_workflow.process.intake import receive
from fbjd_workflow.process.review import review as review_alarm
from fbjd_workflow.process.review import review_many
from fbjd_workflow.process.self_check import handle as handle_alarm
from fbjd_workflow.sites import SitesDep
from fbjd_workflow.vocabulary import AbnormalType, Grade

router = APIRouter(tags=["alarms"])


@router.post(
    "/abnormals",
    status_code=201,
    responses={200: {"model": IntakeResult, "description": "already known: updated, a duplicate or a stale version"}},
)
async def ingest_abnormal(
    record: AbnormalRecordIn, response: Response, session: SessionDep, _principal: Ingestor, settings: SettingsDep
) -> IntakeResult:
    """An abnormal record from the rules (异常记录推送). 201 for a new alarm, 200 otherwise; idempotent."""
    result = await receive(session, record, settings=settings, at=now())
    if result.applied != "created":
        response.status_code = 200
    return result


def _stages(stage: list[Stage], status: str | None) -> list[str]:
    chosen = {s.value for s in stage}
    if status == "open":
        chosen = chosen & {s.value for s in OPEN_STAGES} if chosen else {s.value for s in OPEN_STAGES}
    elif status == "closed":
        chosen = chosen & {s.value for s in CLOSED_STAGES} if chosen else {s.value for s in CLOSED_STAGES}
    elif status is not None:
        raise InvalidInput(f"status 只能是 open 或 closed，收到 {status!r}")
    return sorted(chosen) if chosen or status is None else ["-"]


@router.get(
    "/alarms",
    responses={
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "the number of alarms matching the filters, ignoring limit and offset",
                    "schema": {"type": "integer"},
                }
            }
        }
    },
)
async def list_alarms(
    session: SessionDep,
    principal: Reader,
    response: Response,
    stage: Annotated[list[Stage], Query(description="one or more stages")] = [],  # noqa: B006
    status: Annotated[str | None, Query(description="open | closed")] = None,
    ps_id: str | None = None,
    county: str | None = None,
    industry: str | None = None,
    q: Annotated[str | None, Query(max_length=100, description="a part of the enterprise's name")] = None,
    type: Annotated[list[AbnormalType], Query()] = [],  # noqa: B006
    grade: Annotated[list[Grade], Query()] = [],  # noqa: B006
    start_from: Annotated[AwareDatetime | None, Query(alias="from", description="abnormal started at or after")] = None,
    start_to: Annotated[AwareDatetime | None, Query(alias="to", description="abnormal started before")] = None,
    order: Annotated[str | None, Query(description="oldest | newest; the city queue is oldest first")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AlarmOut]:
    """Alarms in the caller's scope. With stage=city_review (the city's queue) the oldest come first.
    The header X-Total-Count tells how many match in all (for paging)."""
    stages = _stages(stage, status)
    oldest_first = order == "oldest" or (order is None and stages == [Stage.CITY_REVIEW.value])
    f = repository.AlarmFilter(
        stages=stages,
        ps_id=ps_id,
        county=county,
        scope_ps_id=principal.enterprise_id if principal.role is Role.ENTERPRISE else None,
        scope_county=principal.county if principal.role is Role.COUNTY else None,
        types=[t.value for t in type],
        grades=[g.value for g in grade],
        industry=industry,
        started_from=start_from,
        started_to=start_to,
        name_contains=q.strip() if q and q.strip() else None,
        oldest_first=oldest_first,
        limit=limit,
        offset=offset,
    )
    at = now()
    response.headers["X-Total-Count"] = str(await repository.count_alarms(session, f))
    return [alarm_out(alarm, at=at) for alarm in await repository.list_alarms(session, f)]


@router.post("/alarms/review")
async def review_bulk(
    data: BulkReviewIn, request: Request, principal: Reviewer, settings: SettingsDep, sites: SitesDep
) -> BulkReviewOut:
    """批量审核 (at most 200): each alarm reviewed on its own transaction with the single review's rules; the
    answer lists per alarm ok, its new stage, or the error (e.g. 409's message) that kept it unchanged."""
    sessionmaker = request.app.state.sessionmaker
    results = await review_many(sessionmaker, principal, data, sites=sites, settings=settings, at=now())
    return BulkReviewOut(results=results)


@router.get("/alarms/open-count")
async def open_count(session: SessionDep, principal: Reader, ps_id: str | None = None) -> OpenCount:
    """The live count of an enterprise's open alarms and the nearest self-check deadline (pages poll it)."""
    target = principal.enterprise_id if principal.role is Role.ENTERPRISE else ps_id
    if target is None:
        raise InvalidInput("请指定企业 ps_id")
    if principal.role is Role.COUNTY:
        latest = await repository.latest_of_enterprise(session, target)
        if latest is not None and latest.county != principal.county:
            raise WorkflowNotFound(f"企业 {target} 不存在或不在您的管辖范围内")
    counts = await repository.count_open(session, ps_id=target, stages=[s.value for s in OPEN_STAGES])
    self_check, deadline = counts.get(Stage.ENTERPRISE_CHECK.value, (0, None))
    at = now()
    return OpenCount(
        ps_id=target,
        open=sum(count for count, _ in counts.values()),
        awaiting_self_check=self_check,
        next_deadline=deadline,
        seconds_left=None if deadline is None else max(int((deadline - at).total_seconds()), 0),
    )


@router.get("/alarms/{alarm_id}")
async def get_alarm(alarm_id: uuid.UUID, session: SessionDep, principal: Reader) -> AlarmDetail:
    """One alarm: its record, history (every transition), declarations, task and inspection."""
    alarm = await load_visible(session, principal, alarm_id)
    return await alarm_detail(session, alarm, at=now())


@router.post("/alarms/{alarm_id}/handle")
async def handle(alarm_id: uuid.UUID, data: HandleIn, session: SessionDep, principal: EnterpriseUser) -> AlarmDetail:
    """The enterprise handles its alarm within the self-check window (企业自查处理) → closed at its level."""
    at = now()
    alarm = await handle_alarm(session, principal, alarm_id, data, at=at)
    return await alarm_detail(session, alarm, at=at)


@router.post("/alarms/{alarm_id}/review")
async def review(
    alarm_id: uuid.UUID,
    data: ReviewIn,
    session: SessionDep,
    principal: Reviewer,
    settings: SettingsDep,
    sites: SitesDep,
) -> AlarmDetail:
    """The city's review (市局审核): approve closes it; reject pushes it to the province and dispatches an
    enforcement task. A second reviewer on the same alarm gets 409."""
    at = now()
    alarm = await review_alarm(session, principal, alarm_id, data, sites=sites, settings=settings, at=at)
    return await alarm_detail(session, alarm, at=at)
