"""Export the point table of an enterprise; import one, applied whole or not at all.

An import makes the registry say what the table says: facilities and points are matched by name (so their ids,
which the province syncs, survive), those missing from the table are removed, links follow the table. Every
problem of every row is collected first (the table's own, then those against the database: a device of another
enterprise, a facility the control plans still need); if there is any, nothing changes.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fbjd_core.auth import Principal
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.control import repository as control_repository
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import InvalidInput, Problem
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.facilities import service as facilities
from fbjd_registry.facilities.models import Facility
from fbjd_registry.links import repository as links_repository
from fbjd_registry.links import service as links
from fbjd_registry.links.models import Link
from fbjd_registry.points import repository as points_repository
from fbjd_registry.points import service as points
from fbjd_registry.points.models import Point
from fbjd_registry.points.schemas import PointIn
from fbjd_registry.pointtable.export import export_workbook
from fbjd_registry.pointtable.parse import read_table
from fbjd_registry.pointtable.table import ParsedTable
from fbjd_registry.topology.service import current
from fbjd_registry.vocabulary import ThresholdSource

__all__ = ["ImportResult", "export_for", "import_for"]

log = logging.getLogger(__name__)


class Counts(BaseModel):
    facilities: int = 0
    points: int = 0
    links: int = 0


class ImportResult(BaseModel):
    dry_run: bool
    created: Counts
    updated: Counts
    deleted: Counts


async def export_for(session: AsyncSession, *, principal: Principal, ps_id: str) -> tuple[str, bytes]:
    enterprise = await get_visible(session, principal=principal, ps_id=ps_id)
    topology = await current(session, ps_id)
    return enterprise.name, export_workbook(topology, enterprise_name=enterprise.name)


async def _database_problems(session: AsyncSession, ps_id: str, table: ParsedTable) -> list[Problem]:
    problems = []
    for point in table.points.values():
        mn = point.fields.get("mn")
        owner = None if not mn else await points_repository.mn_owner(session, mn)
        if owner is not None and owner != ps_id:
            problems.append(Problem(point.where, "设备MN号", f"设备 {mn} 已登记在企业 {owner} 名下"))
    controlled = await control_repository.controlled_facility_ids(session, ps_id)
    for facility in await facilities_repository.list_for(session, ps_id):
        if facility.name not in table.facilities and facility.id in controlled:
            message = f"设施「{facility.name}」不在表中，但一厂一策还有它的管控措施：请先修改预案，或在表中保留它"
            problems.append(Problem("监测点位信息表", "生产线/设施名称", message))
    return problems


def _point_in(table: ParsedTable, name: str, facility_ids: dict[str, uuid.UUID]) -> PointIn:
    point = table.points[name]
    fields: dict[str, Any] = dict(point.fields)
    if fields.get("threshold_kw") is not None and fields.get("threshold_source") is None:
        fields["threshold_source"] = ThresholdSource.DECLARED
    facility_id = None if point.facility is None else facility_ids[point.facility]
    return PointIn.model_validate({"name": name, "facility_id": facility_id, **fields})


_COUNTED = {"facility": "facilities", "point": "points", "link": "links"}


class _Apply:
    """Applies a checked table to one enterprise, logging every change."""

    def __init__(self, session: AsyncSession, ctx: ChangeContext, ps_id: str, dry_run: bool) -> None:
        self.session, self.ctx, self.ps_id, self.dry_run = session, ctx, ps_id, dry_run
        self.result = ImportResult(dry_run=dry_run, created=Counts(), updated=Counts(), deleted=Counts())

    async def log(self, entity: str, entity_id: uuid.UUID, old: BaseModel | None, new: BaseModel | None) -> None:
        counts = self.result.created if old is None else self.result.deleted if new is None else self.result.updated
        if await changes.record(
            self.session, ctx=self.ctx, ps_id=self.ps_id, entity=entity, entity_id=str(entity_id), old=old, new=new
        ):
            attribute = _COUNTED[entity]
            setattr(counts, attribute, getattr(counts, attribute) + 1)

    async def remove_missing(self, table: ParsedTable) -> None:
        facility_rows = await facilities_repository.list_for(self.session, self.ps_id)
        names = {f.id: f.name for f in facility_rows}
        for link in await links_repository.list_for(self.session, self.ps_id):
            if (names[link.production_facility_id], names[link.treatment_facility_id]) not in table.links:
                before = links.out(link)
                await links_repository.remove(self.session, link)
                await self.log("link", before.id, before, None)
        for point in await points_repository.list_for(self.session, self.ps_id):
            if point.name not in table.points:
                before_point = points.out(point)
                await points_repository.remove(self.session, point)
                await self.log("point", before_point.id, before_point, None)
        for facility in facility_rows:
            if facility.name not in table.facilities:
                before_facility = facilities.out(facility)
                await facilities_repository.remove(self.session, facility)
                await self.log("facility", before_facility.id, before_facility, None)

    async def upsert(self, table: ParsedTable) -> None:
        existing = {f.name: f for f in await facilities_repository.list_for(self.session, self.ps_id)}
        ids: dict[str, uuid.UUID] = {}
        for name, data in table.facilities.items():
            row = existing.get(name)
            before = None if row is None else facilities.out(row)
            if row is None:
                row = Facility(ps_id=self.ps_id, **data.model_dump(mode="json"))
                await facilities_repository.add(self.session, row)
            else:
                for key, value in data.model_dump(mode="json").items():
                    setattr(row, key, value)
            ids[name] = row.id
            await self.log("facility", row.id, before, facilities.out(row))
        await self._upsert_points(table, ids)
        await self._add_links(table, ids)
        await self.session.flush()

    async def _upsert_points(self, table: ParsedTable, ids: dict[str, uuid.UUID]) -> None:
        current_points = {p.name: p for p in await points_repository.list_for(self.session, self.ps_id)}
        for name in table.points:
            data = _point_in(table, name, ids)
            point = current_points.get(name)
            before_point = None if point is None else points.out(point)
            if point is None:
                point = Point(ps_id=self.ps_id, **data.model_dump())
                await points_repository.add(self.session, point)
            else:
                for key, value in data.model_dump().items():
                    setattr(point, key, value)
            await self.log("point", point.id, before_point, points.out(point))

    async def _add_links(self, table: ParsedTable, ids: dict[str, uuid.UUID]) -> None:
        pairs = {
            (link.production_facility_id, link.treatment_facility_id)
            for link in await links_repository.list_for(self.session, self.ps_id)
        }
        for production, treatment in sorted(table.links):
            if (ids[production], ids[treatment]) not in pairs:
                link = Link(
                    ps_id=self.ps_id, production_facility_id=ids[production], treatment_facility_id=ids[treatment]
                )
                await links_repository.add(self.session, link)
                await self.log("link", link.id, None, links.out(link))


async def import_for(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: bytes, dry_run: bool
) -> ImportResult:
    await get_visible(session, principal=principal, ps_id=ps_id)
    table = read_table(data)
    problems = table.problems + await _database_problems(session, ps_id, table)
    if problems:
        raise InvalidInput(problems, message=f"点位表有 {len(problems)} 处问题，未做任何修改")
    apply = _Apply(session, ctx, ps_id, dry_run)
    async with session.begin_nested() as savepoint:
        await apply.remove_missing(table)
        await apply.upsert(table)
        if dry_run:
            await savepoint.rollback()
            changes.changed_enterprises(session).discard(ps_id)
    log.info("point table imported", extra={"ps_id": ps_id, "dry_run": dry_run, **apply.result.created.model_dump()})
    return apply.result
