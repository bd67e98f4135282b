"""Enterprises: register, correct, read within scope, and move along the lifecycle.

Field formats are checked by the schemas; here the checks that need the city or the database: the county
exists, lon/lat lie in the city's bounds, the permit number belongs to the credit code, the business keys
(psId, credit code) are free.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from fbjd_core.auth import Principal, Role
from fbjd_core.time import now, to_cst
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.access import ensure_county_writable, ensure_visible, not_found
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings
from fbjd_registry.enterprises import repository
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.enterprises.schemas import EnterpriseIn, EnterpriseOut, EnterprisePatch, LifecycleStep
from fbjd_registry.errors import InvalidInput, LifecycleError, Problem, RegistryConflict
from fbjd_registry.regions.service import county_exists
from fbjd_registry.validation import label_of, problems_from_errors
from fbjd_registry.vocabulary import Industry, LifecycleStage

__all__ = ["create", "get_visible", "list_visible", "list_visible_rows", "out", "patch", "step", "validated"]

log = logging.getLogger(__name__)

ENTITY = "enterprise"
_NEXT: dict[LifecycleStage, tuple[LifecycleStage, str]] = {
    LifecycleStage.PLANNED: (LifecycleStage.INSTALLING, "install_date"),
    LifecycleStage.INSTALLING: (LifecycleStage.NETWORKED, "network_date"),
    LifecycleStage.NETWORKED: (LifecycleStage.ACCEPTED, "acceptance_date"),
}
_STAGE_LABELS = {"planned": "计划", "installing": "安装中", "networked": "已联网", "accepted": "已验收"}


def out(enterprise: Enterprise) -> EnterpriseOut:
    return EnterpriseOut.model_validate(enterprise, from_attributes=True)


def _problem(field: str, message: str) -> Problem:
    return Problem(field=field, label=label_of(field), message=message)


def _bbox_problems(data: EnterprisePatch, settings: Settings) -> list[Problem]:
    box, city = settings.city_bbox, settings.city_name
    problems = []
    if data.longitude is not None and not box.min_lon <= data.longitude <= box.max_lon:
        message = f"经度 {data.longitude} 不在{city}范围内（{box.min_lon}～{box.max_lon}）"
        problems.append(_problem("longitude", message))
    if data.latitude is not None and not box.min_lat <= data.latitude <= box.max_lat:
        message = f"纬度 {data.latitude} 不在{city}范围内（{box.min_lat}～{box.max_lat}）"
        problems.append(_problem("latitude", message))
    return problems


async def _context_problems(session: AsyncSession, data: EnterprisePatch, settings: Settings) -> list[Problem]:
    """Checks that need the city or several fields; each runs only on fields that passed their own format check."""
    problems: list[Problem] = []
    if data.county_code is not None and not await county_exists(session, data.county_code):
        problems.append(_problem("county_code", f"县(市、区)代码 {data.county_code} 不存在"))
    problems += _bbox_problems(data, settings)
    if data.permit_no is not None and data.credit_code is not None and data.permit_no[:18] != data.credit_code:
        message = f"前18位 {data.permit_no[:18]} 应与统一社会信用代码 {data.credit_code} 一致"
        problems.append(_problem("permit_no", message))
    if data.is_300mw_power_plant and data.industry is not None and data.industry is not Industry.POWER:
        message = f"只有电力行业企业才能标记为30万千瓦及以上火电，现行业为{data.industry}"
        problems.append(_problem("is_300mw_power_plant", message))
    planned = [
        ("planned_install_date", data.planned_install_date),
        ("planned_network_date", data.planned_network_date),
        ("planned_acceptance_date", data.planned_acceptance_date),
    ]
    for (earlier_field, earlier), (later_field, later) in zip(planned, planned[1:], strict=False):
        if earlier is not None and later is not None and later < earlier:
            problems.append(_problem(later_field, f"{later} 早于{label_of(earlier_field)} {earlier}"))
    return problems


async def validated(session: AsyncSession, raw: dict[str, Any], settings: Settings) -> EnterpriseIn:
    """The form checked whole: every field's format and every cross-check, all problems reported at once."""
    problems: list[Problem] = []
    try:
        data: EnterpriseIn | None = EnterpriseIn.model_validate(raw)
    except ValidationError as exc:
        data = None
        problems = problems_from_errors(exc.errors(), strip_prefix=())
    bad = {problem.field.split(".")[0] for problem in problems}
    sound = {k: v for k, v in raw.items() if k not in bad and k in EnterprisePatch.model_fields}
    partial = EnterprisePatch.model_validate(sound)  # these fields passed the same checks just above
    problems += await _context_problems(session, partial, settings)
    if problems or data is None:
        raise InvalidInput(problems)
    return data


async def _ensure_keys_free(session: AsyncSession, data: EnterpriseIn, *, ps_id: str | None) -> None:
    holder = await repository.get_by_credit_code(session, data.credit_code)
    if holder is not None and holder.ps_id != ps_id:
        raise RegistryConflict(f"统一社会信用代码 {data.credit_code} 已被企业「{holder.name}」({holder.ps_id}) 使用")


async def create(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, raw: dict[str, Any], settings: Settings
) -> EnterpriseOut:
    data = await validated(session, raw, settings)
    ensure_county_writable(principal, data.county_code)
    ps_id = data.ps_id or uuid.uuid4().hex
    if await repository.get(session, ps_id) is not None:
        raise RegistryConflict(f"企业编号 {ps_id} 已存在")
    await _ensure_keys_free(session, data, ps_id=None)
    fields = data.model_dump(exclude={"ps_id"})
    enterprise = Enterprise(ps_id=ps_id, stage=LifecycleStage.PLANNED.value, created_at=ctx.at, updated_at=ctx.at)
    for name, value in fields.items():
        setattr(enterprise, name, value)
    await repository.add(session, enterprise)
    created = out(enterprise)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=ps_id, old=None, new=created)
    log.info("enterprise registered", extra={"ps_id": ps_id, "county": data.county_code})
    return created


async def get_visible(session: AsyncSession, *, principal: Principal, ps_id: str) -> Enterprise:
    """The enterprise, if the caller may see it; otherwise the same 404 as for an unknown psId."""
    enterprise = await repository.get(session, ps_id)
    if enterprise is None:
        raise not_found(ps_id)
    ensure_visible(principal, ps_id=enterprise.ps_id, county_code=enterprise.county_code)
    return enterprise


async def list_visible_rows(session: AsyncSession, *, principal: Principal) -> list[Enterprise]:
    """Every enterprise the caller may see, as rows (for the province's tables)."""
    if principal.role is Role.ENTERPRISE:
        row = None if principal.enterprise_id is None else await repository.get(session, principal.enterprise_id)
        return [] if row is None else [row]
    county = principal.county or "-" if principal.role is Role.COUNTY else None
    return list(await repository.list_enterprises(session, county_code=county, limit=1_000_000))


async def list_visible(
    session: AsyncSession,
    *,
    principal: Principal,
    county_code: str | None = None,
    industry: str | None = None,
    stage: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[EnterpriseOut]:
    ps_id = None
    if principal.role is Role.ENTERPRISE:
        ps_id = principal.enterprise_id or "-"
    if principal.role is Role.COUNTY:
        if county_code is not None and county_code != principal.county:
            return []
        county_code = principal.county or "-"
    rows = await repository.list_enterprises(
        session, ps_id=ps_id, county_code=county_code, industry=industry, stage=stage, limit=limit, offset=offset
    )
    return [out(row) for row in rows]


async def patch(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    principal: Principal,
    ps_id: str,
    changes_in: dict[str, Any],
    settings: Settings,
) -> EnterpriseOut:
    """Apply a partial correction; the result is checked like a new form (null clears an optional field)."""
    enterprise = await get_visible(session, principal=principal, ps_id=ps_id)
    before = out(enterprise)
    merged: dict[str, Any] = before.model_dump(include=set(EnterpriseIn.model_fields) - {"ps_id"})
    if "ps_id" in changes_in:
        raise InvalidInput([_problem("ps_id", "企业编号(psId)不能修改")])
    merged.update(changes_in)
    data = await validated(session, merged, settings)
    ensure_county_writable(principal, data.county_code)
    await _ensure_keys_free(session, data, ps_id=ps_id)
    for name, value in data.model_dump(exclude={"ps_id"}).items():
        setattr(enterprise, name, value)
    enterprise.updated_at = ctx.at
    await session.flush()
    after = out(enterprise)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=ps_id, old=before, new=after)
    return after


def _today() -> date:
    return to_cst(now()).date()


async def step(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, step_in: LifecycleStep
) -> EnterpriseOut:
    """planned → installing → networked → accepted, one stage at a time, dates never going backwards."""
    enterprise = await get_visible(session, principal=principal, ps_id=ps_id)
    current = LifecycleStage(enterprise.stage)
    expected = _NEXT.get(current)
    if expected is None or expected[0] is not step_in.stage:
        allowed = "无（已验收）" if expected is None else _STAGE_LABELS[expected[0].value]
        raise LifecycleError(
            f"企业处于「{_STAGE_LABELS[current.value]}」阶段，不能进入「{_STAGE_LABELS[step_in.stage.value]}」；"
            f"下一阶段只能是：{allowed}"
        )
    if step_in.on > _today():
        raise InvalidInput([_problem("on", f"实际日期 {step_in.on} 晚于今天，不能预先登记")])
    previous = [getattr(enterprise, field) for field in ("install_date", "network_date") if getattr(enterprise, field)]
    if previous and step_in.on < max(previous):
        raise InvalidInput([_problem("on", f"实际日期 {step_in.on} 早于上一阶段的日期 {max(previous)}")])
    before = out(enterprise)
    enterprise.stage = step_in.stage.value
    setattr(enterprise, expected[1], step_in.on)
    enterprise.updated_at = ctx.at
    await session.flush()
    after = out(enterprise)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=ps_id, old=before, new=after)
    return after
