"""The enterprise's side of acceptance: fill the form, upload the documents, submit.

A form is checked whole when saved (every 必填 field, formats, dates in order, none in the future), so a saved
form is always complete; what submission checks besides is what only the whole application can show: the
enterprise's own fields the form reuses (the permit number is optional in the registry but 必填 here), every
required document, and the enterprise's lifecycle (networked: acceptance follows networking).
"""

from __future__ import annotations

import logging
from typing import Any

from fbjd_core.auth import Principal
from fbjd_core.time import now, to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance.application import repository
from fbjd_registry.acceptance.application.models import Application
from fbjd_registry.acceptance.application.schemas import (
    FORM_LABELS,
    ApplicationForm,
    ApplicationOut,
    ApplicationSnapshot,
    MissingItem,
    RequiredDocument,
)
from fbjd_registry.acceptance.application.states import EDITABLE, STATE_LABELS, ApplicationState
from fbjd_registry.acceptance.checked import parsed
from fbjd_registry.acceptance.progress import STAGE_LABELS
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.documents import service as documents
from fbjd_registry.documents.content import CheckedFile
from fbjd_registry.documents.kinds import APPLICATION_KINDS, KIND_LABELS, REQUIRED_APPLICATION_KINDS, Area, DocumentKind
from fbjd_registry.documents.schemas import DocumentOut
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.errors import InvalidInput, LifecycleError, Problem
from fbjd_registry.vocabulary import LifecycleStage

__all__ = [
    "ENTITY",
    "SECTION",
    "application_kind",
    "get",
    "get_or_start",
    "record_step",
    "save_form",
    "snapshot",
    "state_of",
    "submit",
    "upload",
    "validated_form",
]

log = logging.getLogger(__name__)

ENTITY = "acceptance_application"
SECTION = "application"
# The enterprise's fields the form reuses that the registry keeps optional but the form requires.
ENTERPRISE_REQUIRED: dict[str, str] = {"permit_no": "排污许可证编号"}


def state_of(row: Application | None) -> ApplicationState:
    return ApplicationState.DRAFT if row is None else ApplicationState(row.state)


def snapshot(row: Application) -> ApplicationSnapshot:
    return ApplicationSnapshot(
        ps_id=row.ps_id,
        state=row.state,
        round=row.round,
        form=None if row.form is None else ApplicationForm.model_validate(row.form),
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        passed_at=row.passed_at,
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        acceptance_date=row.acceptance_date,
    )


async def record_step(
    session: AsyncSession, *, ctx: ChangeContext, row: Application, before: ApplicationSnapshot | None
) -> None:
    """Log the application's new state (old → new) and touch it."""
    row.updated_at = ctx.at
    await session.flush()
    await changes.record(
        session, ctx=ctx, ps_id=row.ps_id, entity=ENTITY, entity_id=row.ps_id, old=before, new=snapshot(row)
    )


async def get_or_start(session: AsyncSession, *, ctx: ChangeContext, ps_id: str) -> Application:
    """The application, locked; a new draft when the enterprise has none yet."""
    row = await repository.get_for_update(session, ps_id)
    if row is None:
        row = Application(
            ps_id=ps_id, state=ApplicationState.DRAFT.value, round=0, created_at=ctx.at, updated_at=ctx.at
        )
        await repository.add(session, row)
        await record_step(session, ctx=ctx, row=row, before=None)
    return row


def _ensure_editable(row: Application | None, what: str) -> None:
    state = state_of(row)
    if state not in EDITABLE:
        raise LifecycleError(f"验收申请处于「{STATE_LABELS[state]}」状态，不能{what}；只有草稿或整改中的申请可以修改")


async def _missing(session: AsyncSession, enterprise: Enterprise, row: Application | None) -> list[MissingItem]:
    missing = []
    if row is None or row.form is None:
        missing.append(MissingItem(field="form", label="验收申请基础信息表", message="尚未填写验收申请基础信息表"))
    for field, label in ENTERPRISE_REQUIRED.items():
        if getattr(enterprise, field) in (None, ""):
            message = "企业基础信息缺少此项，请联系县(市、区)分局在企业信息中补充"
            missing.append(MissingItem(field=f"enterprise.{field}", label=label, message=message))
    present = await documents.present_kinds(session, ps_id=enterprise.ps_id, area=Area.ACCEPTANCE, section=SECTION)
    for kind in REQUIRED_APPLICATION_KINDS:
        if kind.value not in present:
            label = KIND_LABELS[kind]
            missing.append(MissingItem(field=f"documents.{kind.value}", label=label, message=f"缺少{label}，请上传"))
    return missing


async def _out(session: AsyncSession, enterprise: Enterprise, row: Application | None) -> ApplicationOut:
    docs = await documents.list_out(session, ps_id=enterprise.ps_id, area=Area.ACCEPTANCE, sections=[SECTION])
    present = {d.kind for d in docs}
    state = state_of(row)
    return ApplicationOut(
        ps_id=enterprise.ps_id,
        state=state.value,
        state_label=STATE_LABELS[state],
        saved=row is not None,
        round=0 if row is None else row.round,
        enterprise=enterprises.out(enterprise),
        form=None if row is None or row.form is None else ApplicationForm.model_validate(row.form),
        documents=docs,
        required_documents=[
            RequiredDocument(kind=k.value, label=KIND_LABELS[k], present=k.value in present)
            for k in REQUIRED_APPLICATION_KINDS
        ],
        missing=await _missing(session, enterprise, row),
        submitted_by=None if row is None else row.submitted_by,
        submitted_at=None if row is None else row.submitted_at,
        passed_at=None if row is None else row.passed_at,
        filed_by=None if row is None else row.filed_by,
        filed_at=None if row is None else row.filed_at,
        acceptance_date=None if row is None else row.acceptance_date,
        created_at=None if row is None else row.created_at,
        updated_at=None if row is None else row.updated_at,
    )


async def get(session: AsyncSession, *, principal: Principal, ps_id: str) -> ApplicationOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    return await _out(session, enterprise, await repository.get(session, ps_id))


def validated_form(raw: dict[str, Any]) -> ApplicationForm:
    """The form checked whole: every field's format, then the dates against each other and today."""
    form = parsed(ApplicationForm, raw, FORM_LABELS)
    today = to_cst(now()).date()
    problems = [
        Problem(field=field, label=FORM_LABELS[field], message=f"{getattr(form, field)} 晚于今天，不能预先填写")
        for field in ("installed_on", "networked_on", "applied_on")
        if getattr(form, field) > today
    ]
    if form.networked_on < form.installed_on:
        message = f"{form.networked_on} 早于安装完成日期 {form.installed_on}"
        problems.append(Problem(field="networked_on", label=FORM_LABELS["networked_on"], message=message))
    if form.applied_on < form.networked_on:
        message = f"{form.applied_on} 早于联网日期 {form.networked_on}：联网后才能申请验收"
        problems.append(Problem(field="applied_on", label=FORM_LABELS["applied_on"], message=message))
    if problems:
        raise InvalidInput(problems)
    return form


async def save_form(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, raw: dict[str, Any]
) -> ApplicationOut:
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    _ensure_editable(await repository.get(session, ps_id), "修改基础信息表")
    form = validated_form(raw)
    row = await get_or_start(session, ctx=ctx, ps_id=ps_id)
    before = snapshot(row)
    row.form = form.model_dump(mode="json")
    await record_step(session, ctx=ctx, row=row, before=before)
    return await _out(session, enterprise, row)


def application_kind(value: str | None) -> DocumentKind:
    """The kind of an application document, or a clear 422 naming the accepted ones."""
    kinds = {k.value: k for k in APPLICATION_KINDS}
    if value is None or value not in kinds:
        allowed = "、".join(f"{k.value}（{KIND_LABELS[k]}）" for k in APPLICATION_KINDS)
        now_is = "未填写" if value is None else f"现为 {value!r}"
        message = f"验收申请材料的类型须为以下之一：{allowed}；{now_is}"
        raise InvalidInput([Problem(field="kind", label="材料类型", message=message)])
    return kinds[value]


async def upload(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    principal: Principal,
    ps_id: str,
    kind: DocumentKind,
    file: CheckedFile,
) -> DocumentOut:
    await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    _ensure_editable(await repository.get(session, ps_id), "上传材料")
    await get_or_start(session, ctx=ctx, ps_id=ps_id)
    return await documents.store(
        session, ctx=ctx, ps_id=ps_id, area=Area.ACCEPTANCE, section=SECTION, kind=kind, file=file
    )


async def submit(session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str) -> ApplicationOut:
    """draft | rectification → submitted, when nothing is missing and the enterprise is networked."""
    enterprise = await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    row = await repository.get_for_update(session, ps_id)
    _ensure_editable(row, "提交")
    missing = await _missing(session, enterprise, row)
    if missing:
        names = "、".join(item.label for item in missing)
        raise InvalidInput(
            [Problem(field=item.field, label=item.label, message=item.message) for item in missing],
            message=f"验收申请还缺少 {len(missing)} 项，不能提交：{names}",
        )
    if enterprise.stage != LifecycleStage.NETWORKED.value:
        stage = STAGE_LABELS.get(enterprise.stage, enterprise.stage)
        raise LifecycleError(f"企业当前建设进度为「{stage}」，须先完成联网（已联网）才能申请验收")
    assert row is not None  # nothing missing means a saved form
    before = snapshot(row)
    row.state, row.round = ApplicationState.SUBMITTED.value, row.round + 1
    row.submitted_by, row.submitted_at = ctx.actor, ctx.at
    await record_step(session, ctx=ctx, row=row, before=before)
    log.info("acceptance application submitted", extra={"ps_id": ps_id, "round": row.round})
    return await _out(session, enterprise, row)
