"""Production↔treatment links: a production facility to each treatment facility that must run with it."""

from __future__ import annotations

import uuid

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import InvalidInput, Problem, RegistryConflict, RegistryNotFound
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.links import repository
from fbjd_registry.links.models import Link
from fbjd_registry.links.schemas import LinkIn, LinkOut
from fbjd_registry.validation import label_of
from fbjd_registry.vocabulary import FacilityKind

__all__ = ["create", "delete", "list_for", "out"]

ENTITY = "link"


def out(link: Link) -> LinkOut:
    return LinkOut.model_validate(link, from_attributes=True)


async def _end_problem(
    session: AsyncSession, *, ps_id: str, field: str, facility_id: uuid.UUID, kind: FacilityKind
) -> Problem | None:
    facility = await facilities_repository.get(session, facility_id)
    if facility is None or facility.ps_id != ps_id:
        return Problem(field, f"设施 {facility_id} 不存在或不属于本企业", label_of(field))
    if facility.kind != kind.value:
        wanted = "生产设施" if kind is FacilityKind.PRODUCTION else "治污设施"
        return Problem(field, f"「{facility.name}」不是{wanted}", label_of(field))
    return None


async def list_for(session: AsyncSession, *, principal: Principal, ps_id: str) -> list[LinkOut]:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return [out(row) for row in await repository.list_for(session, ps_id)]


async def create(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: LinkIn
) -> LinkOut:
    await get_visible(session, principal=principal, ps_id=ps_id)
    ends = [
        ("production_facility_id", data.production_facility_id, FacilityKind.PRODUCTION),
        ("treatment_facility_id", data.treatment_facility_id, FacilityKind.TREATMENT),
    ]
    problems = [
        problem
        for field, facility_id, kind in ends
        if (problem := await _end_problem(session, ps_id=ps_id, field=field, facility_id=facility_id, kind=kind))
    ]
    if problems:
        raise InvalidInput(problems)
    existing = await repository.get_pair(
        session, production_id=data.production_facility_id, treatment_id=data.treatment_facility_id
    )
    if existing is not None:
        raise RegistryConflict("这两个设施已有对应关系")
    link = Link(ps_id=ps_id, **data.model_dump())
    await repository.add(session, link)
    created = out(link)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ENTITY, entity_id=str(link.id), old=None, new=created)
    return created


async def delete(session: AsyncSession, *, ctx: ChangeContext, principal: Principal, link_id: uuid.UUID) -> None:
    link = await repository.get(session, link_id)
    missing = RegistryNotFound(f"对应关系 {link_id} 不存在或不在您的管辖范围内")
    if link is None:
        raise missing
    try:
        await get_visible(session, principal=principal, ps_id=link.ps_id)
    except RegistryNotFound:
        raise missing from None
    before = out(link)
    await repository.remove(session, link)
    await changes.record(
        session, ctx=ctx, ps_id=before.ps_id, entity=ENTITY, entity_id=str(before.id), old=before, new=None
    )
