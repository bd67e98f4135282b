"""Monitoring points: which meter channel watches which facility, with rating, threshold and device."""

from __future__ import annotations

import uuid
from typing import Any

from fbjd_core.auth import Principal
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import InvalidInput, Problem, RegistryConflict, RegistryNotFound
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.points import repository
from fbjd_registry.points.models import Point
from fbjd_registry.points.schemas import PointIn, PointOut, PointPatch
from fbjd_registry.validation import label_of, problems_from_errors
from fbjd_registry.vocabulary import POINT_ROLE_LABELS, FacilityKind, PointRole, ThresholdSource

__all__ = ["check_point", "create", "delete", "get_visible_point", "list_for", "out", "patch"]

ENTITY = "point"
_KIND_OF_ROLE = {
    PointRole.PRODUCTION: FacilityKind.PRODUCTION,
    PointRole.INTEGRATED: FacilityKind.PRODUCTION,
    PointRole.TREATMENT: FacilityKind.TREATMENT,
}
_KIND_LABELS = {FacilityKind.PRODUCTION: "生产设施", FacilityKind.TREATMENT: "治污设施"}


def out(point: Point) -> PointOut:
    return PointOut.model_validate(point, from_attributes=True)


def _problem(field: str, message: str) -> Problem:
    return Problem(field=field, label=label_of(field), message=message)


def check_point(data: PointIn, facility_kind: FacilityKind | None, *, facility_found: bool) -> list[Problem]:
    """What is inconsistent in one point (fields that are each well-formed but do not fit together)."""
    problems: list[Problem] = []
    if data.role is PointRole.TOTAL_LINE:
        if data.facility_id is not None:
            problems.append(_problem("facility_id", "总进线测点不属于任何设施，请不要指定所属设施"))
    elif data.facility_id is None:
        problems.append(_problem("facility_id", "生产、治污和产治一体测点须指定所属设施"))
    elif not facility_found:
        problems.append(_problem("facility_id", f"设施 {data.facility_id} 不存在或不属于本企业"))
    elif facility_kind is not _KIND_OF_ROLE[data.role]:
        expected = _KIND_LABELS[_KIND_OF_ROLE[data.role]]
        actual = "未知设施" if facility_kind is None else _KIND_LABELS[facility_kind]
        role = POINT_ROLE_LABELS[data.role]
        problems.append(_problem("role", f"{role}测点只能属于{expected}，所选设施是{actual}"))
    if data.standby_group is not None and data.role is not PointRole.TREATMENT:
        problems.append(_problem("standby_group", "只有治污设施测点可以设主备组"))
    if data.threshold_source is not None and data.threshold_kw is None:
        problems.append(_problem("threshold_source", "未填写阈值，不能指定阈值来源"))
    if data.threshold_kw is not None and data.rated_kw is not None and data.threshold_kw > data.rated_kw:
        problems.append(_problem("threshold_kw", f"阈值 {data.threshold_kw} kW 大于额定功率 {data.rated_kw} kW"))
    if (data.mn is None) != (data.factor_code is None):
        missing = "factor_code" if data.factor_code is None else "mn"
        problems.append(_problem(missing, "设备MN号和监测因子编码须同时填写或同时不填"))
    return problems


async def _validate(session: AsyncSession, *, ps_id: str, data: PointIn, own_id: uuid.UUID | None) -> PointIn:
    facility = None if data.facility_id is None else await facilities_repository.get(session, data.facility_id)
    found = facility is not None and facility.ps_id == ps_id
    kind = FacilityKind(facility.kind) if facility is not None and found else None
    problems = check_point(data, kind, facility_found=found)
    if problems:
        raise InvalidInput(problems)
    holder = await repository.name_holder(session, ps_id=ps_id, name=data.name)
    if holder is not None and holder.id != own_id:
        raise RegistryConflict(f"本企业已有名为「{data.name}」的测点，测点名称不能重复")
    if data.mn is not None and data.factor_code is not None:
        channel = await repository.channel_holder(session, mn=data.mn, factor_code=data.factor_code)
        if channel is not None and channel.id != own_id:
            raise RegistryConflict(f"设备 {data.mn} 的因子 {data.factor_code} 已是测点「{channel.name}」")
        owner = await repository.mn_owner(session, data.mn)
        if owner is not None and owner != ps_id:
            raise RegistryConflict(f"设备 {data.mn} 已登记在企业 {owner} 名下，一台设备只能属于一家企业")
    if data.threshold_kw is not None and data.threshold_source is None:
        data = data.model_copy(update={"threshold_source": ThresholdSource.DECLARED})
    return data


async def get_visible_point(session: AsyncSession, *, principal: Principal, point_id: uuid.UUID) -> Point:
    point = await repository.get(session, point_id)
    missing = RegistryNotFound(f"测点 {point_id} 不存在或不在您的管辖范围内")
    if point is None:
        raise missing
    try:
        await get_visible(session, principal=principal, ps_id=point.ps_id)
    except RegistryNotFound:
        raise missing from None
    return point


async def list_for(session: AsyncSession, *, principal: Principal, ps_id: str) -> list[PointOut]:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return [out(row) for row in await repository.list_for(session, ps_id)]


async def create(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: PointIn
) -> PointOut:
    await get_visible(session, principal=principal, ps_id=ps_id)
    data = await _validate(session, ps_id=ps_id, data=data, own_id=None)
    point = Point(ps_id=ps_id, **data.model_dump())
    await repository.add(session, point)
    created = out(point)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=str(point.id), old=None, new=created)
    return created


async def patch(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, point_id: uuid.UUID, data: PointPatch
) -> PointOut:
    point = await get_visible_point(session, principal=principal, point_id=point_id)
    before = out(point)
    merged: dict[str, Any] = before.model_dump(include=set(PointIn.model_fields))
    merged.update(data.model_dump(exclude_unset=True))
    for required in ("name", "role", "judgement_minutes"):
        if merged.get(required) is None:
            merged[required] = getattr(before, required)  # null on a required field means "unchanged"
    try:
        full = PointIn.model_validate(merged)
    except ValidationError as exc:
        raise InvalidInput(problems_from_errors(exc.errors(), strip_prefix=())) from exc
    full = await _validate(session, ps_id=point.ps_id, data=full, own_id=point.id)
    for name, value in full.model_dump().items():
        setattr(point, name, value)
    await session.flush()
    after = out(point)
    await changes.record(
        session, ctx=ctx, ps_id=point.ps_id, entity=ENTITY, entity_id=str(point.id), old=before, new=after
    )
    return after


async def delete(session: AsyncSession, *, ctx: ChangeContext, principal: Principal, point_id: uuid.UUID) -> None:
    point = await get_visible_point(session, principal=principal, point_id=point_id)
    before = out(point)
    await repository.remove(session, point)
    await changes.record(
        session, ctx=ctx, ps_id=before.ps_id, entity=ENTITY, entity_id=str(before.id), old=before, new=None
    )
