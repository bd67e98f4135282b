"""Acceptance basics: the province's progress tables (附件1, 附件2) and the city's spot checks."""

from __future__ import annotations

import re
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from fbjd_core.auth import Principal, Role, require_roles
from fbjd_core.time import now, to_cst

from fbjd_registry.acceptance import progress
from fbjd_registry.acceptance import service as spot_checks
from fbjd_registry.acceptance.schemas import ProgressRow, SpotCheckIn, SpotCheckOut, SpotResultIn
from fbjd_registry.access import Reader, change_context
from fbjd_registry.config import SettingsDep
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.enterprises.service import list_visible_rows
from fbjd_registry.errors import InvalidInput, Problem
from fbjd_registry.points import repository as points_repository
from fbjd_registry.regions import repository as regions_repository

router = APIRouter(tags=["acceptance"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
City = Annotated[Principal, Depends(require_roles(Role.CITY))]
CityReader = Annotated[Principal, Depends(require_roles(Role.CITY, Role.SERVICE))]
Month = Annotated[str | None, Query(description="YYYY-MM (CST); default the current month")]


def _xlsx(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    return Response(content=content, media_type=XLSX, headers=headers)


def _month(value: str | None) -> tuple[int, int]:
    if value is None:
        today = to_cst(now()).date()
        return today.year, today.month
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", value)
    if match is None:
        raise InvalidInput([Problem("month", f"须为 YYYY-MM（如 2026-11），现为 {value!r}", "月份")])
    return int(match.group(1)), int(match.group(2))


@router.get("/acceptance/install-list.xlsx", response_class=Response)
async def install_list(session: SessionDep, principal: Reader, settings: SettingsDep) -> Response:
    """附件1 安装联网企业清单 (a county gets its own county, an enterprise itself)."""
    rows = await list_visible_rows(session, principal=principal)
    counties = {c.code: c.name for c in await regions_repository.list_counties(session)}
    points = await points_repository.count_by_role(session, [e.ps_id for e in rows])
    content = progress.install_list_workbook(
        city_name=settings.city_name, enterprises=rows, counties=counties, points=points
    )
    return _xlsx(content, f"{settings.city_name}分表计电安装联网企业清单.xlsx")


async def _progress(session: SessionDep, principal: Principal, month: str | None) -> tuple[list[ProgressRow], int, int]:
    year, number = _month(month)
    rows = await list_visible_rows(session, principal=principal)
    counties = await regions_repository.list_counties(session)
    if principal.role is Role.COUNTY:
        counties = [c for c in counties if c.code == principal.county]
    return progress.progress_rows(enterprises=rows, counties=counties, year=year, month=number), year, number


@router.get("/acceptance/progress")
async def progress_json(session: SessionDep, principal: Reader, month: Month = None) -> list[ProgressRow]:
    """附件2 安装联网进度表 as data, one line per county."""
    return (await _progress(session, principal, month))[0]


@router.get("/acceptance/progress.xlsx", response_class=Response)
async def progress_xlsx(session: SessionDep, principal: Reader, settings: SettingsDep, month: Month = None) -> Response:
    rows, year, number = await _progress(session, principal, month)
    content = progress.progress_workbook(city_name=settings.city_name, rows=rows, year=year, month=number)
    return _xlsx(content, f"{settings.city_name}分表计电安装联网进度表{year}年{number}月.xlsx")


@router.post("/spot-checks", status_code=201)
async def draw_spot_check(data: SpotCheckIn, session: SessionDep, principal: City) -> SpotCheckOut:
    return await spot_checks.draw(session, ctx=change_context(principal), data=data)


@router.get("/spot-checks")
async def list_spot_checks(session: SessionDep, _principal: CityReader) -> list[SpotCheckOut]:
    return await spot_checks.list_checks(session)


@router.get("/spot-checks/{check_id}")
async def get_spot_check(check_id: uuid.UUID, session: SessionDep, _principal: CityReader) -> SpotCheckOut:
    return await spot_checks.get_check(session, check_id)


@router.put("/spot-checks/{check_id}/items/{ps_id}")
async def record_spot_result(
    check_id: uuid.UUID, ps_id: PsIdPath, data: SpotResultIn, session: SessionDep, principal: City
) -> SpotCheckOut:
    return await spot_checks.record_result(
        session, ctx=change_context(principal), principal=principal, check_id=check_id, ps_id=ps_id, data=data
    )
