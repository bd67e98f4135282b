"""The acceptance report (沧州市工业企业分表计电系统验收报告) from the registry, and the city's filing.

The counts come from the registry's current points (the same the platform and the labels show); the audits
from the current submission round. Filing (备案) by the city moves a passed application to filed and the
enterprise's lifecycle to accepted on the filing's date, in one transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from fbjd_core.auth import Principal
from fbjd_core.time import now, to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.application import repository as applications_repository
from fbjd_registry.acceptance.application import service as applications
from fbjd_registry.acceptance.application.models import Application
from fbjd_registry.acceptance.application.schemas import ApplicationForm
from fbjd_registry.acceptance.application.states import STATE_LABELS, ApplicationState
from fbjd_registry.acceptance.report.schemas import (
    AcceptanceReport,
    Conclusion,
    Filing,
    FilingIn,
    PlatformAuditSummary,
    PointCounts,
    ReportEnterprise,
    Signature,
)
from fbjd_registry.acceptance.review import repository as reviews_repository
from fbjd_registry.acceptance.review.items import ITEMS
from fbjd_registry.acceptance.review.models import PlatformAudit, SiteAudit
from fbjd_registry.acceptance.review.service import platform_failed
from fbjd_registry.acceptance.review.service import site_out as site_audit_out
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.control import repository as control_repository
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.enterprises.schemas import LifecycleStep
from fbjd_registry.errors import InvalidInput, LifecycleError, Problem
from fbjd_registry.regions import repository as regions_repository
from fbjd_registry.topology.schemas import TopologyOut
from fbjd_registry.topology.service import current
from fbjd_registry.vocabulary import FacilityKind, LifecycleStage, PointRole

__all__ = ["build", "counts_of", "record_filing", "report_for"]

log = logging.getLogger(__name__)

_TITLES = {item.code: item.title for item in ITEMS}


def counts_of(topology: TopologyOut, controlled: set[object]) -> PointCounts:
    roles = Counter(p.role for p in topology.points)
    facilities = Counter(f.kind for f in topology.facilities)
    emergency = sum(1 for p in topology.points if p.role is not PointRole.TOTAL_LINE and p.facility_id in controlled)
    return PointCounts(
        total=len(topology.points),
        production=roles[PointRole.PRODUCTION] + roles[PointRole.INTEGRATED],
        treatment=roles[PointRole.TREATMENT],
        integrated=roles[PointRole.INTEGRATED],
        emergency_reduction=emergency,
        total_line=roles[PointRole.TOTAL_LINE],
        production_facilities=facilities[FacilityKind.PRODUCTION],
        treatment_facilities=facilities[FacilityKind.TREATMENT],
    )


def _summary(platform: PlatformAudit | None) -> PlatformAuditSummary | None:
    if platform is None:
        return None
    return PlatformAuditSummary(
        audited_by=platform.audited_by,
        audited_at=platform.audited_at,
        items=len(ITEMS),
        passed_items=sum(1 for item in platform.items if item.get("passed") is True),
        failed_items=[_TITLES.get(i["code"], i["code"]) for i in platform.items if i.get("passed") is False],
        opinion=platform.opinion,
        transmission_rate=platform.transmission_rate,
    )


def _conclusion(
    state: ApplicationState, row: Application | None, platform: PlatformAudit | None, site: SiteAudit | None
) -> Conclusion:
    if state is ApplicationState.FILED and row is not None:
        return Conclusion(code="filed", text=f"验收合格，已于 {row.acceptance_date} 报市生态环境局备案")
    if state is ApplicationState.PASSED:
        return Conclusion(code="passed", text="验收合格：平台审核12项全部通过，现场核查通过；待市生态环境局备案")
    if state is ApplicationState.RECTIFICATION:
        deadline = platform.rectification_deadline if platform is not None and platform_failed(platform) else None
        if deadline is None and site is not None:
            deadline = site.rectification_deadline
        return Conclusion(code="rectification", text=f"验收不合格，须于 {deadline} 前完成整改后重新提交验收申请")
    return Conclusion(code="pending", text=f"验收尚未完成（{STATE_LABELS[state]}）")


def _signatures(
    city_name: str,
    form: ApplicationForm | None,
    platform: PlatformAudit | None,
    site: SiteAudit | None,
    row: Application | None,
) -> list[Signature]:
    return [
        Signature(
            party="排污单位（盖章）",
            signer=None if form is None else form.applicant_name,
            signed_on=None if form is None else form.applied_on,
        ),
        Signature(party="建设厂商（盖章）", signer=None if form is None else form.builder_contact, signed_on=None),
        Signature(
            party="县(市、区)生态环境分局（平台审核）",
            signer=None if platform is None else platform.audited_by,
            signed_on=None if platform is None else to_cst(platform.audited_at).date(),
        ),
        Signature(
            party="现场核查人员",
            signer=None if site is None else "、".join(site.people),
            signed_on=None if site is None else site.audited_on,
        ),
        Signature(
            party=f"{city_name}生态环境局（备案）",
            signer=None if row is None else row.filed_by,
            signed_on=None if row is None else row.acceptance_date,
        ),
    ]


async def _enterprise(session: AsyncSession, enterprise: Enterprise) -> ReportEnterprise:
    counties = {c.code: c.name for c in await regions_repository.list_counties(session)}
    return ReportEnterprise(
        name=enterprise.name,
        address=enterprise.address,
        county_code=enterprise.county_code,
        county_name=counties.get(enterprise.county_code, enterprise.county_code),
        credit_code=enterprise.credit_code,
        permit_no=enterprise.permit_no,
        industry=enterprise.industry,
        category=enterprise.category,
        legal_representative=enterprise.legal_representative,
        env_contact_name=enterprise.env_contact_name,
        env_contact_phone=enterprise.env_contact_phone,
        operator_name=enterprise.operator_name,
    )


async def build(session: AsyncSession, *, enterprise: Enterprise, city_name: str) -> AcceptanceReport:
    ps_id = enterprise.ps_id
    row = await applications_repository.get(session, ps_id)
    state = applications.state_of(row)
    form = None if row is None else applications.snapshot(row).form
    platform = site = None
    if row is not None and row.round > 0:
        platform = await reviews_repository.platform_audit(session, ps_id=ps_id, round_=row.round)
        site = await reviews_repository.site_audit(session, ps_id=ps_id, round_=row.round)
    controlled: set[object] = set(await control_repository.controlled_facility_ids(session, ps_id))
    filing = None
    if row is not None and row.filed_at is not None and row.filed_by is not None and row.acceptance_date is not None:
        filing = Filing(filed_by=row.filed_by, filed_at=row.filed_at, acceptance_date=row.acceptance_date)
    return AcceptanceReport(
        title=f"{city_name}工业企业分表计电系统验收报告",
        ps_id=ps_id,
        state=state.value,
        state_label=STATE_LABELS[state],
        round=0 if row is None else row.round,
        enterprise=await _enterprise(session, enterprise),
        builder_name=None if form is None else form.builder_name,
        devices_count=None if form is None else form.devices_count,
        installed_on=None if form is None else form.installed_on,
        networked_on=None if form is None else form.networked_on,
        applied_on=None if form is None else form.applied_on,
        submitted_at=None if row is None else row.submitted_at,
        counts=counts_of(await current(session, ps_id), controlled),
        platform_audit=_summary(platform),
        site_audit=None if site is None else site_audit_out(site),
        conclusion=_conclusion(state, row, platform, site),
        filing=filing,
        signatures=_signatures(city_name, form, platform, site, row),
        generated_at=now(),
    )


async def report_for(session: AsyncSession, *, principal: Principal, ps_id: str, city_name: str) -> AcceptanceReport:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    return await build(session, enterprise=enterprise, city_name=city_name)


async def record_filing(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: FilingIn, city_name: str
) -> AcceptanceReport:
    """passed → filed; the enterprise becomes accepted on `data.on` (today when omitted)."""
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    row = await applications_repository.get_for_update(session, ps_id)
    state = applications.state_of(row)
    if row is None or state is not ApplicationState.PASSED:
        raise LifecycleError(f"验收申请处于「{STATE_LABELS[state]}」状态；只有验收通过的申请可以备案")
    on = data.on or to_cst(now()).date()
    if row.passed_at is not None and on < to_cst(row.passed_at).date():
        message = f"备案日期 {on} 早于验收通过的日期 {to_cst(row.passed_at).date()}"
        raise InvalidInput([Problem(field="on", label="备案日期", message=message)])
    on = await _accept(session, ctx=ctx, principal=principal, enterprise=enterprise, on=on)
    before = applications.snapshot(row)
    row.state, row.filed_by, row.filed_at, row.acceptance_date = ApplicationState.FILED.value, ctx.actor, ctx.at, on
    await applications.record_step(session, ctx=ctx, row=row, before=before)
    log.info("acceptance filed", extra={"ps_id": ps_id, "acceptance_date": on.isoformat()})
    return await build(session, enterprise=enterprise, city_name=city_name)


async def _accept(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, enterprise: Enterprise, on: date
) -> date:
    """Move the enterprise to accepted on `on` (or keep the date it was accepted on already)."""
    if enterprise.stage == LifecycleStage.ACCEPTED.value and enterprise.acceptance_date is not None:
        return enterprise.acceptance_date
    step = LifecycleStep(stage=LifecycleStage.ACCEPTED, on=on)
    await enterprises.step(session, ctx=ctx, principal=principal, ps_id=enterprise.ps_id, step_in=step)
    return on
