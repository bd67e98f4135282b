"""Facilities of an enterprise: production (生产设施) or treatment (治污设施)."""

from __future__ import annotations

import uuid

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.control import repository as control_repository
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import RegistryConflict, RegistryNotFound
from fbjd_registry.facilities import repository
from fbjd_registry.facilities.models import Facility
from fbjd_registry.facilities.schemas import FacilityIn, FacilityOut, FacilityPatch
from fbjd_registry.links import repository as links_repository
from fbjd_registry.points import repository as points_repository

__all__ = ["create", "delete", "get_visible_facility", "list_for", "out", "patch"]

ENTITY = "facility"


def out(facility: Facility) -> FacilityOut:
    return FacilityOut.model_validate(facility, from_attributes=True)


async def get_visible_facility(session: AsyncSession, *, principal: Principal, facility_id: uuid.UUID) -> Facility:
    facility = await repository.get(session, facility_id)
    missing = RegistryNotFound(f"设施 {facility_id} 不存在或不在您的管辖范围内")
    if facility is None:
        raise missing
    try:
        await get_visible(session, principal=principal, ps_id=facility.ps_id)
    except RegistryNotFound:
        raise missing from None
    return facility


async def list_for(session: AsyncSession, *, principal: Principal, ps_id: str) -> list[FacilityOut]:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return [out(row) for row in await repository.list_for(session, ps_id)]


async def _ensure_name_free(session: AsyncSession, *, ps_id: str, name: str, own_id: uuid.UUID | None) -> None:
    holder = await repository.name_holder(session, ps_id=ps_id, name=name)
    if holder is not None and holder.id != own_id:
        raise RegistryConflict(f"本企业已有名为「{name}」的设施，设施名称不能重复")


async def create(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: FacilityIn
) -> FacilityOut:
    await get_visible(session, principal=principal, ps_id=ps_id)
    await _ensure_name_free(session, ps_id=ps_id, name=data.name, own_id=None)
    facility = Facility(ps_id=ps_id, **data.model_dump(mode="json"))
    await repository.add(session, facility)
    created = out(facility)
    await changes.record(
        session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=str(facility.id), old=None, new=created
    )
    return created


async def patch(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, facility_id: uuid.UUID, data: FacilityPatch
) -> FacilityOut:
    facility = await get_visible_facility(session, principal=principal, facility_id=facility_id)
    before = out(facility)
    updates = data.model_dump(exclude_unset=True, mode="json")
    if updates.get("name") is not None:
        await _ensure_name_free(session, ps_id=facility.ps_id, name=updates["name"], own_id=facility.id)
    for name, value in updates.items():
        if value is None and name in {"name", "kind", "needs_treatment"}:
            continue  # required fields cannot be cleared; null means "unchanged"
        setattr(facility, name, value)
    await session.flush()
    after = out(facility)
    await changes.record(
        session, ctx=ctx, ps_id=facility.ps_id, entity=ENTITY, entity_id=str(facility.id), old=before, new=after
    )
    return after


async def delete(session: AsyncSession, *, ctx: ChangeContext, principal: Principal, facility_id: uuid.UUID) -> None:
    facility = await get_visible_facility(session, principal=principal, facility_id=facility_id)
    points = await points_repository.count_for_facility(session, facility.id)
    links = await links_repository.count_for_facility(session, facility.id)
    measures = await control_repository.count_measures_for_facility(session, facility.id)
    if points or links or measures:
        raise RegistryConflict(
            f"设施「{facility.name}」还有 {points} 个测点、{links} 条产治对应关系、{measures} 条管控措施，请先删除它们"
        )
    before = out(facility)
    await repository.remove(session, facility)
    await changes.record(
        session, ctx=ctx, ps_id=before.ps_id, entity=ENTITY, entity_id=str(before.id), old=before, new=None
    )
