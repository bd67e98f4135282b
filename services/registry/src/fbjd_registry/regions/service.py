"""Cities and their counties. A county code must lie under its city's code (first four digits)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.errors import InvalidInput, Problem, RegistryNotFound
from fbjd_registry.regions import cangzhou, repository
from fbjd_registry.regions.models import City, County
from fbjd_registry.regions.schemas import CityOut, CountyIn, CountyOut

__all__ = ["county_exists", "ensure_cangzhou", "ensure_city", "list_regions", "upsert_county"]


def _county_out(county: County) -> CountyOut:
    return CountyOut(code=county.code, name=county.name, city_code=county.city_code)


async def list_regions(session: AsyncSession) -> list[CityOut]:
    counties = await repository.list_counties(session)
    return [
        CityOut(
            code=city.code,
            name=city.name,
            counties=[_county_out(county) for county in counties if county.city_code == city.code],
        )
        for city in await repository.list_cities(session)
    ]


async def county_exists(session: AsyncSession, code: str) -> bool:
    return await repository.get_county(session, code) is not None


async def ensure_city(session: AsyncSession, *, code: str, name: str) -> None:
    if await repository.get_city(session, code) is None:
        await repository.add(session, City(code=code, name=name))


async def upsert_county(session: AsyncSession, *, ctx: ChangeContext, city_code: str, county_in: CountyIn) -> CountyOut:
    city = await repository.get_city(session, city_code)
    if city is None:
        raise RegistryNotFound(f"地市 {city_code} 不存在")
    if county_in.code[:4] != city_code[:4]:
        raise InvalidInput(
            [Problem("code", f"县(市、区)代码 {county_in.code} 不属于{city.name}({city_code[:4]}xx)", "代码")]
        )
    county = await repository.get_county(session, county_in.code)
    old = None if county is None else _county_out(county)
    if county is None:
        county = County(code=county_in.code, name=county_in.name, city_code=city_code)
        await repository.add(session, county)
    else:
        county.name = county_in.name
    new = _county_out(county)
    await changes.record(session, ctx=ctx, ps_id=None, entity="county", entity_id=county.code, old=old, new=new)
    return new


async def ensure_cangzhou(session: AsyncSession, *, ctx: ChangeContext) -> None:
    """Idempotent: 沧州市 and its 16 counties, each logged once when first created."""
    await ensure_city(session, code=cangzhou.CITY_CODE, name=cangzhou.CITY_NAME)
    for code, name in cangzhou.COUNTIES:
        if await repository.get_county(session, code) is None:
            await upsert_county(
                session, ctx=ctx, city_code=cangzhou.CITY_CODE, county_in=CountyIn(code=code, name=name)
            )
