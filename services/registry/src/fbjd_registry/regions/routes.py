"""GET /regions: the city and its counties; PUT /regions/{city}/counties/{code} (admin, city)."""

from __future__ import annotations

from fastapi import APIRouter

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.errors import InvalidInput, Problem, WriteForbidden
from fbjd_registry.regions import service
from fbjd_registry.regions.schemas import CityOut, CountyIn, CountyOut

router = APIRouter(tags=["regions"])


@router.get("/regions")
async def list_regions(session: SessionDep, _principal: Reader) -> list[CityOut]:
    return await service.list_regions(session)


@router.put("/regions/{city_code}/counties/{code}")
async def put_county(
    city_code: str, code: str, county_in: CountyIn, session: SessionDep, principal: Editor
) -> CountyOut:
    if principal.role.value == "county":
        raise WriteForbidden("县级用户不能修改行政区划")
    if county_in.code != code:
        raise InvalidInput([Problem("code", f"路径中的代码 {code} 与请求体中的 {county_in.code} 不一致", "代码")])
    return await service.upsert_county(session, ctx=change_context(principal), city_code=city_code, county_in=county_in)
