"""The city's spot check (市级抽查): a reproducible draw of at least 5% of accepted enterprises, and its results.

The draw is recorded with its seed and its population (the accepted psIds at the time), and follows a method
anyone can redo without this code: rank every psId by SHA-256 of "<seed>:<psId>" and take the smallest
ceil(share × N). Drawing again with the same seed over the same population gives the same enterprises.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import uuid

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.acceptance import repository
from fbjd_registry.acceptance.models import SpotCheck, SpotCheckItem
from fbjd_registry.acceptance.schemas import SpotCheckIn, SpotCheckItemOut, SpotCheckOut, SpotResultIn
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.errors import InvalidInput, Problem, RegistryNotFound
from fbjd_registry.vocabulary import LifecycleStage

__all__ = ["draw", "get_check", "list_checks", "pick", "record_result"]

log = logging.getLogger(__name__)


def pick(population: list[str], *, seed: int, share: float) -> list[str]:
    """The drawn psIds, in drawing order."""
    count = math.ceil(share * len(population) - 1e-9)
    ranked = sorted(population, key=lambda ps_id: hashlib.sha256(f"{seed}:{ps_id}".encode()).hexdigest())
    return ranked[:count]


async def _out(session: AsyncSession, check: SpotCheck) -> SpotCheckOut:
    items = await repository.items_of(session, check.id)
    names = {e.ps_id: e for e in await enterprises_repository.list_by_ps_ids(session, [i.ps_id for i in items])}
    return SpotCheckOut(
        id=check.id,
        name=check.name,
        seed=check.seed,
        share=check.share,
        population_size=len(check.population),
        population=check.population,
        drawn_by=check.drawn_by,
        drawn_at=check.drawn_at,
        items=[
            SpotCheckItemOut(
                ps_id=item.ps_id,
                enterprise_name=names[item.ps_id].name,
                county_code=names[item.ps_id].county_code,
                position=item.position,
                passed=item.passed,
                note=item.note,
                recorded_by=item.recorded_by,
                recorded_at=item.recorded_at,
            )
            for item in items
        ],
    )


async def draw(session: AsyncSession, *, ctx: ChangeContext, data: SpotCheckIn) -> SpotCheckOut:
    population = await enterprises_repository.list_ps_ids(session, stage=LifecycleStage.ACCEPTED.value)
    if not population:
        raise InvalidInput([Problem("share", "目前没有已验收的企业，无法抽查", "抽查比例")])
    seed = data.seed if data.seed is not None else secrets.randbelow(2**31)
    check = SpotCheck(
        name=data.name, seed=seed, share=data.share, population=population, drawn_by=ctx.actor, drawn_at=ctx.at
    )
    await repository.add(session, check)
    drawn = pick(population, seed=seed, share=data.share)
    await repository.add(
        session, *(SpotCheckItem(spot_check_id=check.id, ps_id=ps_id, position=n) for n, ps_id in enumerate(drawn, 1))
    )
    log.info(
        "spot check drawn",
        extra={"spot_check": str(check.id), "seed": seed, "drawn": len(drawn), "of": len(population)},
    )
    return await _out(session, check)


async def get_check(session: AsyncSession, check_id: uuid.UUID) -> SpotCheckOut:
    check = await repository.get(session, check_id)
    if check is None:
        raise RegistryNotFound(f"抽查 {check_id} 不存在")
    return await _out(session, check)


async def list_checks(session: AsyncSession) -> list[SpotCheckOut]:
    return [await _out(session, check) for check in await repository.list_checks(session)]


async def record_result(
    session: AsyncSession,
    *,
    ctx: ChangeContext,
    principal: Principal,
    check_id: uuid.UUID,
    ps_id: str,
    data: SpotResultIn,
) -> SpotCheckOut:
    del principal  # city and admin only, checked at the route
    item = await repository.get_item(session, check_id=check_id, ps_id=ps_id)
    if item is None:
        raise RegistryNotFound(f"企业 {ps_id} 不在抽查 {check_id} 的抽中名单中")
    item.passed, item.note, item.recorded_by, item.recorded_at = data.passed, data.note, ctx.actor, ctx.at
    await session.flush()
    return await get_check(session, check_id)
