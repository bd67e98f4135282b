"""The city's review (市局审核): approve → closed; reject → pushed to the province and an enforcement task
created and pushed to the mobile enforcement system, all in one transaction with the decision.

Two reviewers at once: the alarm row is locked before the decision, so the second waits, then meets a stage
that no longer allows a review and gets 409 (InvalidTransition); nothing of theirs is saved.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.alarms.models import Alarm
from fbjd_workflow.alarms.schemas import BulkReviewIn, BulkReviewResult, ReviewIn
from fbjd_workflow.alarms.service import SYSTEM, Actor, apply, load_visible
from fbjd_workflow.alarms.states import Action, Party
from fbjd_workflow.config import Settings
from fbjd_workflow.enforcement import repository as enforcement_repository
from fbjd_workflow.enforcement.models import EnforcementTask
from fbjd_workflow.errors import WorkflowError
from fbjd_workflow.outbox.service import Channel, enqueue
from fbjd_workflow.process.documents import province_payload, task_document
from fbjd_workflow.sites import SiteDirectory
from fbjd_workflow.timers.service import TimerKind, cancel, schedule
from fbjd_workflow.vocabulary import ReviewDecision, TaskStatus

__all__ = ["review", "review_many"]


async def _dispatch(
    session: AsyncSession, alarm: Alarm, *, site: dict[str, object], settings: Settings, at: datetime
) -> None:
    """Rejected → province outbox, enforcement task, task webhook, deadline timer (the DISPATCH step)."""
    task = EnforcementTask(
        alarm_id=alarm.id,
        ps_id=alarm.ps_id,
        county=alarm.county,
        status=TaskStatus.NEW.value,
        created_at=at,
        updated_at=at,
        deadline_at=at + settings.task_deadline,
        overdue=False,
        site=site,
    )
    await enforcement_repository.add(session, task)
    await apply(
        session,
        alarm,
        Action.DISPATCH,
        actor=SYSTEM,
        at=at,
        reason="审核不通过：推送省级平台，并向移动执法系统派发执法任务",
        detail={"task_id": str(task.id)},
    )
    await enqueue(
        session,
        channel=Channel.BRIDGE,
        dedupe_key=f"bridge:{alarm.id}",
        ps_id=alarm.ps_id,
        alarm_id=alarm.id,
        payload=province_payload(alarm, task_id=task.id),
        at=at,
    )
    document = await task_document(session, task, alarm)
    await enqueue(
        session,
        channel=Channel.ENFORCEMENT,
        dedupe_key=f"enforcement:{task.id}:created",
        ps_id=alarm.ps_id,
        alarm_id=alarm.id,
        payload={"event": "task.created", "task": document.model_dump(mode="json", by_alias=True)},
        at=at,
    )
    await schedule(session, kind=TimerKind.TASK_DEADLINE, alarm=alarm, due_at=task.deadline_at, at=at)


async def review(
    session: AsyncSession,
    principal: Principal,
    alarm_id: uuid.UUID,
    data: ReviewIn,
    *,
    sites: SiteDirectory,
    settings: Settings,
    at: datetime,
) -> Alarm:
    seen = await load_visible(session, principal, alarm_id)
    site: dict[str, object] = {}
    if data.decision is ReviewDecision.REJECT:  # asked before the row is locked: the registry may be slow
        found = await sites.site(seen.ps_id)
        site = {} if found is None else found.model_dump()
    alarm = await load_visible(session, principal, alarm_id, for_update=True, expected_revision=data.expected_revision)
    action = Action.APPROVE if data.decision is ReviewDecision.APPROVE else Action.REJECT
    actor = Actor.of(principal, Party.CITY)
    await apply(session, alarm, action, actor=actor, at=at, reason=f"审核意见：{data.opinion}")
    alarm.reviewed_at, alarm.reviewed_by = at, principal.subject
    alarm.review_decision, alarm.review_opinion = data.decision.value, data.opinion
    await cancel(session, alarm=alarm, kinds=[TimerKind.REVIEW_REMINDER], at=at)
    if action is Action.REJECT:
        await _dispatch(session, alarm, site=site, settings=settings, at=at)
    return alarm


async def review_many(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    data: BulkReviewIn,
    *,
    sites: SiteDirectory,
    settings: Settings,
    at: datetime,
) -> list[BulkReviewResult]:
    """批量审核: the single review for each alarm, each in a transaction of its own (an alarm belongs to one
    enterprise, so no transaction spans two). One alarm refused (409, 404) does not hold up the others; the
    same id twice is reviewed once."""
    results: list[BulkReviewResult] = []
    single = ReviewIn(decision=data.decision, opinion=data.opinion)
    for alarm_id in dict.fromkeys(data.alarm_ids):
        try:
            async with sessionmaker() as session, session.begin():
                alarm = await review(session, principal, alarm_id, single, sites=sites, settings=settings, at=at)
                stage = alarm.stage
        except WorkflowError as exc:
            results.append(BulkReviewResult(alarm_id=alarm_id, ok=False, stage=None, error=exc.message, code=exc.code))
        else:
            results.append(BulkReviewResult(alarm_id=alarm_id, ok=True, stage=stage, error=None))
    return results
