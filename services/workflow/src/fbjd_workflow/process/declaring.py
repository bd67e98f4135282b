"""Declarations (申报) as use cases.

- 提前申报 (before): the enterprise declares a facility, a window and a reason; the city (or the county for
  its own county) approves or refuses it once. Approval covers the matching open alarms at once, and later
  ones as they arrive (`coverage`).
- 事后申报 (after): for one of its alarms still open, the enterprise gives a reason and evidence files (PDF,
  JPEG, PNG); the whole upload is refused (413/415) if any file is wrong, and nothing of it is kept.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from fbjd_core.auth import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.access import ensure_visible
from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.service import Actor, load_visible, note
from fbjd_workflow.alarms.states import STAGE_LABELS, Party, Stage
from fbjd_workflow.declarations import repository
from fbjd_workflow.declarations.models import Declaration
from fbjd_workflow.declarations.schemas import DeclarationDecisionIn, PreDeclarationIn
from fbjd_workflow.errors import ActionForbidden, AlreadyDecided, InvalidInput, InvalidTransition, WorkflowNotFound
from fbjd_workflow.files.service import CheckedFile, store
from fbjd_workflow.process.coverage import cover_open_alarms
from fbjd_workflow.sites import SiteDirectory
from fbjd_workflow.vocabulary import DeclarationKind, DeclarationStatus, HandlingReason, label

__all__ = ["AFTER_STAGES", "MAX_WINDOW", "create_after", "create_before", "decide", "load_visible_declaration"]

log = logging.getLogger(__name__)

MAX_WINDOW = timedelta(days=31)
_DECIDED = {"approved": "批准", "refused": "退回"}
AFTER_STAGES = (Stage.ENTERPRISE_CHECK.value, Stage.CITY_REVIEW.value)


async def _enterprise(session: AsyncSession, sites: SiteDirectory, ps_id: str) -> tuple[str, str]:
    """(county, name) of an enterprise: the registry's, else as its latest alarm recorded them."""
    site = await sites.site(ps_id)
    if site is not None and site.county:
        return site.county, site.name
    alarm = await alarms_repository.latest_of_enterprise(session, ps_id)
    if alarm is not None:
        return alarm.county, alarm.enterprise_name
    raise InvalidInput(f"找不到企业 {ps_id} 的登记信息（所属县区），暂不能申报；请稍后再试或联系市生态环境局")


async def create_before(
    session: AsyncSession, principal: Principal, data: PreDeclarationIn, *, sites: SiteDirectory, at: datetime
) -> Declaration:
    ps_id = principal.enterprise_id if principal.role is Role.ENTERPRISE else data.ps_id
    if ps_id is None:
        raise InvalidInput("请填写企业编号 ps_id")
    if principal.role is Role.ENTERPRISE and data.ps_id not in (None, ps_id):
        raise ActionForbidden("企业用户只能为本企业申报")
    if data.ends_at <= data.starts_at:
        raise InvalidInput("申报时段的结束时间须晚于开始时间")
    if data.ends_at - data.starts_at > MAX_WINDOW:
        raise InvalidInput(f"申报时段不能超过 {MAX_WINDOW.days} 天，请分段申报")
    county, name = await _enterprise(session, sites, ps_id)
    ensure_visible(principal, ps_id=ps_id, county=county, what=f"企业 {ps_id} ")
    declaration = Declaration(
        kind=DeclarationKind.BEFORE.value,
        ps_id=ps_id,
        county=county,
        enterprise_name=name,
        facility_id=data.facility_id,
        facility_name=data.facility_name or None,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        reason_code=data.reason.value,
        reason_text=data.text,
        status=DeclarationStatus.PENDING.value,
        created_by=principal.subject,
        created_at=at,
    )
    await repository.add(session, declaration)
    log.info("pre-declaration filed", extra={"declaration_id": str(declaration.id), "ps_id": ps_id})
    return declaration


async def load_visible_declaration(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, *, for_update: bool = False
) -> Declaration:
    declaration = await (repository.get_for_update if for_update else repository.get)(session, declaration_id)
    if declaration is None:
        raise WorkflowNotFound(f"申报 {declaration_id} 不存在或不在您的管辖范围内")
    ensure_visible(principal, ps_id=declaration.ps_id, county=declaration.county, what=f"申报 {declaration_id} ")
    return declaration


async def decide(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, data: DeclarationDecisionIn, *, at: datetime
) -> tuple[Declaration, int]:
    """Approve or refuse a pending pre-declaration; returns it and how many open alarms it now covers."""
    declaration = await load_visible_declaration(session, principal, declaration_id, for_update=True)
    if declaration.kind != DeclarationKind.BEFORE:
        raise InvalidTransition("事后申报随报警一并审核，不单独审批")
    if declaration.status != DeclarationStatus.PENDING:
        raise AlreadyDecided(f"该提前申报已{_DECIDED[declaration.status]}，不能重复审批")
    approved = data.decision == "approve"
    declaration.status = (DeclarationStatus.APPROVED if approved else DeclarationStatus.REFUSED).value
    declaration.decided_by, declaration.decided_at, declaration.decision_opinion = principal.subject, at, data.opinion
    covered = await cover_open_alarms(session, declaration, at=at) if approved else []
    log.info(
        "pre-declaration decided",
        extra={"declaration_id": str(declaration.id), "decision": data.decision, "covered": len(covered)},
    )
    return declaration, len(covered)


async def create_after(
    session: AsyncSession,
    principal: Principal,
    alarm_id: uuid.UUID,
    *,
    reason: HandlingReason,
    text: str,
    files: Sequence[CheckedFile],
    at: datetime,
) -> Declaration:
    alarm = await load_visible(session, principal, alarm_id, for_update=True)
    if alarm.stage not in AFTER_STAGES:
        raise InvalidTransition(
            f"报警当前处于「{STAGE_LABELS[Stage(alarm.stage)]}」阶段，事后申报只能在企业自查或市局审核阶段提交"
        )
    declaration = Declaration(
        kind=DeclarationKind.AFTER.value,
        ps_id=alarm.ps_id,
        county=alarm.county,
        enterprise_name=alarm.enterprise_name,
        alarm_id=alarm.id,
        reason_code=reason.value,
        reason_text=text,
        status=DeclarationStatus.SUBMITTED.value,
        created_by=principal.subject,
        created_at=at,
    )
    await repository.add(session, declaration)
    await store(
        session,
        files,
        owner_kind="declaration",
        owner_id=declaration.id,
        ps_id=alarm.ps_id,
        county=alarm.county,
        by=principal.subject,
        at=at,
    )
    await note(
        session,
        alarm,
        action="declared_after",
        actor=Actor.of(principal, Party.ENTERPRISE),
        at=at,
        reason=f"企业提交事后申报（{label(reason.value, prefix='handling_reason')}，附件 {len(files)} 个）",
        declaration_id=str(declaration.id),
        by=principal.subject,
    )
    return declaration
