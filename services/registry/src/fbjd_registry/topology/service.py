"""The topology of one enterprise, now or as the registry said at a past instant (from the change log)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.enterprises.schemas import EnterpriseOut
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.facilities import service as facilities
from fbjd_registry.facilities.schemas import FacilityOut
from fbjd_registry.links import repository as links_repository
from fbjd_registry.links import service as links
from fbjd_registry.links.schemas import LinkOut
from fbjd_registry.points import repository as points_repository
from fbjd_registry.points import service as points
from fbjd_registry.points.schemas import PointOut
from fbjd_registry.topology.schemas import TopologyOut, TreatmentRequirement
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["as_of", "build", "current", "topology_for"]

ENTITIES = ("enterprise", "facility", "point", "link")


def _requirements(facility_rows: list[FacilityOut], point_rows: list[PointOut]) -> list[TreatmentRequirement]:
    requirements = []
    for facility in facility_rows:
        if facility.kind is not FacilityKind.TREATMENT:
            continue
        grouped: dict[str, list[PointOut]] = defaultdict(list)
        for point in point_rows:
            if point.facility_id == facility.id and point.role is PointRole.TREATMENT:
                grouped[point.standby_group or f"point:{point.id}"].append(point)
        groups = [sorted(p.id for p in members) for _, members in sorted(grouped.items())]
        requirements.append(TreatmentRequirement(treatment_facility_id=facility.id, groups=groups))
    return requirements


def build(
    *,
    ps_id: str,
    at: datetime | None,
    enterprise: EnterpriseOut | None,
    facility_rows: list[FacilityOut],
    point_rows: list[PointOut],
    link_rows: list[LinkOut],
) -> TopologyOut:
    facility_rows = sorted(facility_rows, key=lambda f: f.id)
    point_rows = sorted(point_rows, key=lambda p: p.id)
    return TopologyOut(
        ps_id=ps_id,
        at=at,
        enterprise=enterprise,
        facilities=facility_rows,
        points=point_rows,
        links=sorted(link_rows, key=lambda link: link.id),
        treatment_requirements=_requirements(facility_rows, point_rows),
    )


async def current(session: AsyncSession, ps_id: str) -> TopologyOut:
    enterprise = await enterprises_repository.get(session, ps_id)
    return build(
        ps_id=ps_id,
        at=None,
        enterprise=None if enterprise is None else enterprises.out(enterprise),
        facility_rows=[facilities.out(row) for row in await facilities_repository.list_for(session, ps_id)],
        point_rows=[points.out(row) for row in await points_repository.list_for(session, ps_id)],
        link_rows=[links.out(row) for row in await links_repository.list_for(session, ps_id)],
    )


async def as_of(session: AsyncSession, ps_id: str, at: datetime) -> TopologyOut:
    """What the registry said at `at`: the last logged state of every entity changed at or before `at`."""
    states = await changes.states_at(session, ps_id=ps_id, entities=ENTITIES, at=at)
    enterprise_states = states["enterprise"]
    return build(
        ps_id=ps_id,
        at=at,
        enterprise=EnterpriseOut.model_validate(enterprise_states[0]) if enterprise_states else None,
        facility_rows=[FacilityOut.model_validate(state) for state in states["facility"]],
        point_rows=[PointOut.model_validate(state) for state in states["point"]],
        link_rows=[LinkOut.model_validate(state) for state in states["link"]],
    )


async def topology_for(session: AsyncSession, *, principal: Principal, ps_id: str, at: datetime | None) -> TopologyOut:
    await enterprises.get_visible(session, principal=principal, ps_id=ps_id)
    return await current(session, ps_id) if at is None else await as_of(session, ps_id, at)
