"""The county's platform audit and site audit of a submitted application, and where they leave it.

The audits belong to the application's current submission round. After each write the application's state is
concluded from them: a failed item or a failed site audit → rectification (with its deadline); platform audit
passed and site audit not yet recorded → under_audit; both passed → passed. The site audit follows a passed
platform audit, as the notice's process has it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fbjd_core.auth import Principal
from fbjd_core.time import now, to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.application import repository as applications_repository
from fbjd_registry.acceptance.application import service as applications
from fbjd_registry.acceptance.application.models import Application
from fbjd_registry.acceptance.application.states import REVIEWABLE, STATE_LABELS, ApplicationState
from fbjd_registry.acceptance.checked import parsed
from fbjd_registry.acceptance.review import repository
from fbjd_registry.acceptance.review.items import ITEMS, Facts, prefill
from fbjd_registry.acceptance.review.models import PlatformAudit, SiteAudit
from fbjd_registry.acceptance.review.schemas import (
    AUDIT_LABELS,
    AuditItemOut,
    PlatformAuditIn,
    PlatformAuditOut,
    PlatformAuditSnapshot,
    SiteAuditIn,
    SiteAuditOut,
)
from fbjd_registry.audit import service as audit
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.control import repository as control_repository
from fbjd_registry.documents import service as documents
from fbjd_registry.documents.content import CheckedFile
from fbjd_registry.documents.kinds import Area, DocumentKind
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.errors import InvalidInput, LifecycleError, Problem
from fbjd_registry.topology.service import current

__all__ = [
    "conclude",
    "facts_for",
    "get_audit",
    "platform_failed",
    "put_platform_audit",
    "put_site_audit",
    "site_out",
    "upload_site_photo",
]

log = logging.getLogger(__name__)

PLATFORM_ENTITY, SITE_ENTITY, SITE_SECTION = "acceptance_platform_audit", "acceptance_site_audit", "site_audit"
_CODES = [item.code for item in ITEMS]


def _today() -> date:
    return to_cst(now()).date()


def platform_failed(row: PlatformAudit) -> bool:
    return any(item.get("passed") is False for item in row.items)


def conclude(platform: PlatformAudit | None, site: SiteAudit | None) -> ApplicationState:
    if platform is None:
        return ApplicationState.SUBMITTED
    if platform_failed(platform):
        return ApplicationState.RECTIFICATION
    if site is None:
        return ApplicationState.UNDER_AUDIT
    return ApplicationState.PASSED if site.passed else ApplicationState.RECTIFICATION


async def facts_for(
    session: AsyncSession, enterprise: Enterprise, application: Application | None, transmission_rate: float | None
) -> Facts:
    """What the registry knows of the enterprise, for the audit form's pre-fill (the audit checks re-run now)."""
    ps_id = enterprise.ps_id
    report = await audit.run(session, ps_id)
    plans = await control_repository.list_plans(session, ps_id)
    present = await documents.present_kinds(session, ps_id=ps_id, area=Area.ACCEPTANCE, section=applications.SECTION)
    return Facts(
        enterprise=enterprises.out(enterprise),
        form=applications.snapshot(application).form if application is not None else None,
        topology=await current(session, ps_id),
        findings=report.findings,
        controlled_facility_ids=await control_repository.controlled_facility_ids(session, ps_id),
        plan_levels=[plan.level for plan in plans],
        documents_present=present,
        transmission_rate=transmission_rate,
        missing_enterprise_fields=[
            label for field, label in applications.ENTERPRISE_REQUIRED.items() if not getattr(enterprise, field)
        ],
    )


def site_out(row: SiteAudit) -> SiteAuditOut:
    return SiteAuditOut(
        round=row.round,
        audited_on=row.audited_on,
        people=row.people,
        findings=row.findings,
        passed=row.passed,
        rectification_deadline=row.rectification_deadline,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _platform_snapshot(row: PlatformAudit) -> PlatformAuditSnapshot:
    return PlatformAuditSnapshot(
        round=row.round,
        items=list(row.items),
        opinion=row.opinion,
        transmission_rate=row.transmission_rate,
        rectification_deadline=row.rectification_deadline,
        audited_by=row.audited_by,
        audited_at=row.audited_at,
    )


def _deadline(platform: PlatformAudit | None, site: SiteAudit | None) -> date | None:
    if platform is not None and platform_failed(platform):
        return platform.rectification_deadline
    if site is not None and not site.passed:
        return site.rectification_deadline
    return None


async def _audits(session: AsyncSession, row: Application | None) -> tuple[PlatformAudit | None, SiteAudit | None]:
    if row is None or row.round == 0:
        return None, None
    platform = await repository.platform_audit(session, ps_id=row.ps_id, round_=row.round)
    site = await repository.site_audit(session, ps_id=row.ps_id, round_=row.round)
    return platform, site


async def _out(
    session: AsyncSession, enterprise: Enterprise, row: Application | None, transmission_rate: float | None
) -> PlatformAuditOut:
    platform, site = await _audits(session, row)
    if transmission_rate is None and platform is not None:
        transmission_rate = platform.transmission_rate
    facts = await facts_for(session, enterprise, row, transmission_rate)
    confirmed: dict[str, dict[str, Any]] = {} if platform is None else {i["code"]: i for i in platform.items}
    items = [
        AuditItemOut(
            **item.model_dump(),
            passed=confirmed.get(item.code, {}).get("passed"),
            opinion=confirmed.get(item.code, {}).get("opinion"),
        )
        for item in prefill(facts)
    ]
    state = applications.state_of(row)
    photos = await documents.list_out(session, ps_id=enterprise.ps_id, area=Area.ACCEPTANCE, sections=[SITE_SECTION])
    return PlatformAuditOut(
        ps_id=enterprise.ps_id,
        round=0 if row is None else row.round,
        state=state.value,
        state_label=STATE_LABELS[state],
        confirmed=platform is not None,
        items=items,
        passed_items=sum(1 for item in items if item.passed is True),
        opinion=None if platform is None else platform.opinion,
        transmission_rate=transmission_rate,
        rectification_deadline=_deadline(platform, site),
        audited_by=None if platform is None else platform.audited_by,
        audited_at=None if platform is None else platform.audited_at,
        site_audit=None if site is None else site_out(site),
        site_photos=photos,
    )


async def get_audit(
    session: AsyncSession, *, principal: Principal, ps_id: str, transmission_rate: float | None
) -> PlatformAuditOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    return await _out(session, enterprise, await applications_repository.get(session, ps_id), transmission_rate)


async def _reviewable(session: AsyncSession, ps_id: str, what: str) -> Application:
    row = await applications_repository.get_for_update(session, ps_id)
    state = applications.state_of(row)
    if row is None or state not in REVIEWABLE:
        raise LifecycleError(f"验收申请处于「{STATE_LABELS[state]}」状态，不能{what}；只有已提交或审核中的申请可以审核")
    return row


def _item_problems(data: PlatformAuditIn) -> list[Problem]:
    problems, seen = [], set()
    label = AUDIT_LABELS["items"]
    for n, item in enumerate(data.items):
        if item.code not in _CODES:
            message = f"不认识的审核项 {item.code!r}，应为：{'、'.join(_CODES)}"
            problems.append(Problem(field=f"items.{n}.code", label=AUDIT_LABELS["code"], message=message))
        elif item.code in seen:
            problems.append(Problem(field=f"items.{n}.code", label=AUDIT_LABELS["code"], message="审核项重复"))
        elif not item.passed and not (item.opinion or "").strip():
            message = f"第 {_CODES.index(item.code) + 1} 项不通过，须写明审核意见"
            problems.append(Problem(field=f"items.{n}.opinion", label=AUDIT_LABELS["opinion"], message=message))
        seen.add(item.code)
    absent = [f"{n}.{item.title}" for n, item in enumerate(ITEMS, start=1) if item.code not in seen]
    if absent:
        problems.append(Problem(field="items", label=label, message=f"须逐项确认全部12项，缺少：{'；'.join(absent)}"))
    return problems


def _deadline_problems(failed: bool, deadline: date | None) -> list[Problem]:
    label = AUDIT_LABELS["rectification_deadline"]
    if failed and deadline is None:
        return [Problem(field="rectification_deadline", label=label, message="有不通过的项目，须设定整改期限")]
    if failed and deadline is not None and deadline <= _today():
        message = f"整改期限 {deadline} 须晚于今天"
        return [Problem(field="rectification_deadline", label=label, message=message)]
    return []


async def _settle(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    enterprise: Enterprise,
    row: Application,
    transmission_rate: float | None = None,
) -> PlatformAuditOut:
    """Conclude the application's state from its audits, log the step, and answer the audit form."""
    platform, site = await _audits(session, row)
    before = applications.snapshot(row)
    state = conclude(platform, site)
    row.state = state.value
    if state is ApplicationState.PASSED:
        row.passed_at = ctx.at
    await applications.record_step(session, ctx=ctx, row=row, before=before)
    log.info("acceptance audited", extra={"ps_id": row.ps_id, "round": row.round, "state": state.value})
    return await _out(session, enterprise, row, transmission_rate)


async def put_platform_audit(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, raw: dict[str, Any]
) -> PlatformAuditOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    data = parsed(PlatformAuditIn, raw, AUDIT_LABELS)
    row = await _reviewable(session, ps_id, "进行平台审核")
    failed = any(not item.passed for item in data.items)
    problems = _item_problems(data) + _deadline_problems(failed, data.rectification_deadline)
    if problems:
        raise InvalidInput(problems)
    facts = await facts_for(session, enterprise, row, data.transmission_rate)
    suggested = {item.code: item for item in prefill(facts)}
    items = [
        {
            "code": item.code,
            "passed": item.passed,
            "opinion": (item.opinion or "").strip() or None,
            "suggested": suggested[item.code].suggested,
            "evidence": suggested[item.code].evidence,
        }
        for item in sorted(data.items, key=lambda i: _CODES.index(i.code))
    ]
    existing = await repository.platform_audit(session, ps_id=ps_id, round_=row.round)
    before = None if existing is None else _platform_snapshot(existing)
    audit_row = existing or PlatformAudit(ps_id=ps_id, round=row.round)
    audit_row.items, audit_row.opinion, audit_row.transmission_rate = items, data.opinion, data.transmission_rate
    audit_row.rectification_deadline = data.rectification_deadline if failed else None
    audit_row.audited_by, audit_row.audited_at = ctx.actor, ctx.at
    await repository.add(session, audit_row)
    await changes.record(
        session,
        ctx=ctx,
        ps_id=ps_id,
        entity=PLATFORM_ENTITY,
        entity_id=f"{ps_id}:{row.round}",
        old=before,
        new=_platform_snapshot(audit_row),
    )
    return await _settle(session, ctx=ctx, enterprise=enterprise, row=row, transmission_rate=data.transmission_rate)


async def put_site_audit(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, raw: dict[str, Any]
) -> PlatformAuditOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    data = parsed(SiteAuditIn, raw, AUDIT_LABELS)
    row = await _reviewable(session, ps_id, "记录现场核查")
    platform = await repository.platform_audit(session, ps_id=ps_id, round_=row.round)
    if platform is None or platform_failed(platform):
        raise LifecycleError("平台审核全部通过后才能记录现场核查")
    problems = _deadline_problems(not data.passed, data.rectification_deadline)
    if data.audited_on > _today():
        message = f"核查日期 {data.audited_on} 晚于今天"
        problems.append(Problem(field="audited_on", label=AUDIT_LABELS["audited_on"], message=message))
    if problems:
        raise InvalidInput(problems)
    existing = await repository.site_audit(session, ps_id=ps_id, round_=row.round)
    before = None if existing is None else site_out(existing)
    site = existing or SiteAudit(ps_id=ps_id, round=row.round)
    site.audited_on, site.people, site.findings, site.passed = data.audited_on, data.people, data.findings, data.passed
    site.rectification_deadline = None if data.passed else data.rectification_deadline
    site.recorded_by, site.recorded_at = ctx.actor, ctx.at
    await repository.add(session, site)
    await changes.record(
        session,
        ctx=ctx,
        ps_id=ps_id,
        entity=SITE_ENTITY,
        entity_id=f"{ps_id}:{row.round}",
        old=before,
        new=site_out(site),
    )
    return await _settle(session, ctx=ctx, enterprise=enterprise, row=row)


async def upload_site_photo(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, file: CheckedFile
) -> DocumentOut:
    await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    await _reviewable(session, ps_id, "上传现场核查照片")
    return await documents.store(
        session,
        ctx=ctx,
        ps_id=ps_id,
        area=Area.ACCEPTANCE,
        section=SITE_SECTION,
        kind=DocumentKind.SITE_PHOTO,
        file=file,
    )
