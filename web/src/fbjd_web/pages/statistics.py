"""Statistics (统计分析, 北京导则 6.9): consumption by enterprise, industry and county with 环比 and 同比; terminal
online rates; transmission rates per point with the < 90 % maintenance list; abnormal statistics.
Every table has 「导出 Excel」: the same route with `.xlsx`, the same parameters, the same rows."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fbjd_core.time import CST, now

from fbjd_web.consumption import (
    GRANULARITY_LABELS,
    GROUP_LABELS,
    Granularity,
    GroupBy,
    query_ranges,
    summarise,
)
from fbjd_web.gateway import api_get, api_send
from fbjd_web.lookups import county_names, enterprise_index
from fbjd_web.stat_tables import (
    ABNORMAL_BY_LABELS,
    Table,
    abnormal_table,
    consumption_table,
    online_table,
    rates_table,
)
from fbjd_web.templating import render
from fbjd_web.xlsx import xlsx_response

__all__ = ["router"]

router = APIRouter()
ROWS_PER_PAGE = 100
#: Longest range a table covers, per granularity (ingest answers at most 400 days of days).
MAX_DAYS = {"day": 366, "month": 3660, "year": 3660}
TABS = {
    "consumption": ("用电量", "/statistics"),
    "online": ("终端在线率", "/statistics/online"),
    "rates": ("数据传输率", "/statistics/rates"),
    "abnormal": ("异常统计", "/statistics/abnormal"),
}


class BadRange(ValueError):
    """A range the user typed that cannot be answered; shown above the form."""


def _today() -> date:
    return now().astimezone(CST).date()


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRange(f"无法识别的日期：{value}（格式 YYYY-MM-DD）") from exc


def _consumption_params(request: Request) -> dict[str, Any]:
    q = request.query_params
    granularity: Granularity = q.get("period") if q.get("period") in GRANULARITY_LABELS else "day"  # type: ignore[assignment]
    group: GroupBy = q.get("group") if q.get("group") in GROUP_LABELS else "enterprise"  # type: ignore[assignment]
    today = _today()
    default_start = {
        "day": today - timedelta(days=29),
        "month": today.replace(month=1, day=1),
        "year": today.replace(year=today.year - 2, month=1, day=1),
    }[granularity]
    error = None
    try:
        start, end = _day(q.get("start"), default_start), _day(q.get("end"), today)
        if end < start:
            raise BadRange("结束日期不能早于开始日期")
        if (end - start).days > MAX_DAYS[granularity]:
            raise BadRange(f"按{GRANULARITY_LABELS[granularity]}统计最长 {MAX_DAYS[granularity]} 天，请缩短时段")
    except BadRange as exc:
        error, start, end = str(exc), default_start, today
    return {"period": granularity, "group": group, "start": start, "end": end, "error": error}


async def _consumption(request: Request) -> tuple[Table, dict[str, Any]]:
    p = _consumption_params(request)
    index, counties = await asyncio.gather(enterprise_index(request), county_names(request))

    def group_of(ps_id: str) -> str:
        e = index.get(ps_id)
        if e is None:
            return ps_id
        if p["group"] == "industry":
            return str(e["industry"])
        if p["group"] == "county":
            return str(counties.get(e["county_code"], e["county_code"]))
        return str(e["name"])

    ranges = query_ranges(p["start"], p["end"], p["period"])
    if p["group"] == "enterprise":
        rows = await _per_enterprise(request, p["period"], ranges)
        lines = summarise(rows, group_of, p["start"], p["end"], p["period"])
    else:  # industries and counties are summed by ingest: a row per group, not one per enterprise
        groups: dict[str, list[str]] = {}
        for ps_id in index:
            groups.setdefault(group_of(ps_id), []).append(ps_id)
        rows = await _per_group(request, p["period"], ranges, groups)
        lines = summarise(rows, lambda name: name, p["start"], p["end"], p["period"])  # rows carry the group
    span = f"{p['start'].isoformat()}_{p['end'].isoformat()}"
    return consumption_table(lines, p["group"], p["period"], span), p


async def _per_enterprise(request: Request, period: str, ranges: list[tuple[date, date]]) -> list[dict[str, Any]]:
    """Ingest's rows per enterprise and period, over the asked span and the spans it is compared with."""
    answers = await asyncio.gather(
        *(
            api_get(
                request,
                "/api/ingest/consumption",
                {"period": period, "group": "enterprise", "start": first.isoformat(), "end": last.isoformat()},
            )
            for first, last in ranges
        )
    )
    return [row for answer in answers for row in answer["rows"]]


async def _per_group(
    request: Request, period: str, ranges: list[tuple[date, date]], groups: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The same, summed per named group by ingest; each row's `ps_id` is the group's name (what summarise keys)."""
    if not groups:
        return []
    answers = await asyncio.gather(
        *(
            api_send(
                request,
                "POST",
                "/api/ingest/consumption/groups",
                json={"period": period, "start": first.isoformat(), "end": last.isoformat(), "groups": groups},
            )
            for first, last in ranges
        )
    )
    return [{**row, "ps_id": row["group"]} for answer in answers for row in answer["rows"]]


def _context(tab: str, table: Table, params: dict[str, Any], request: Request) -> dict[str, Any]:
    """The page shows ROWS_PER_PAGE rows at a time; the export (same query, page aside) writes them all."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    path = TABS[tab][1]
    export = _export_path(path)
    pages = max(1, math.ceil(len(table.rows) / ROWS_PER_PAGE))
    try:
        page = min(max(1, int(request.query_params.get("page") or 1)), pages)
    except ValueError:
        page = 1
    return {
        "tab": tab,
        "tabs": TABS,
        "table": table,
        "shown": table.rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE],
        "page": page,
        "pages": pages,
        "page_url": f"{path}?{urlencode([*query, ('page', '')])}",
        "params": params,
        "export_url": f"{export}?{urlencode(query)}" if query else export,
        "granularities": GRANULARITY_LABELS,
        "groups": GROUP_LABELS,
        "abnormal_by": ABNORMAL_BY_LABELS,
    }


def _page(request: Request, tab: str, table: Table, params: dict[str, Any], **extra: Any) -> Response:
    context = {**_context(tab, table, params, request), **extra}
    return render(request, "statistics/page.html", context, fragment="statistics/_table.html")


def _download(table: Table) -> Response:
    return xlsx_response(table.filename, table.title, table.headers, table.rows, formats=table.formats)


async def _online(request: Request) -> tuple[Table, dict[str, Any]]:
    overview, index, counties = await asyncio.gather(
        api_get(request, "/api/ingest/overview"), enterprise_index(request), county_names(request)
    )
    return online_table(overview, index, counties), {"overview": overview}


async def _rates(request: Request) -> tuple[Table, dict[str, Any]]:
    q = request.query_params
    month = q.get("month") or _today().strftime("%Y-%m")
    error = None
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        error, month = f"无法识别的月份：{month}（格式 YYYY-MM）", _today().strftime("%Y-%m")
    only_low = q.get("low") == "1"
    rates, devices, counties = await asyncio.gather(
        api_get(request, "/api/ingest/rates", {"month": month}),
        api_get(request, "/api/registry/devices"),
        county_names(request),
    )
    table = rates_table(rates, devices, counties, only_low=only_low)
    low = sum(1 for item in rates.get("items", []) if item.get("needs_maintenance"))
    return table, {"month": month, "low": only_low, "error": error, "low_devices": low}


async def _abnormal(request: Request) -> tuple[Table, dict[str, Any]]:
    q = request.query_params
    by = q.get("by") if q.get("by") in ABNORMAL_BY_LABELS else "type"
    today = _today()
    error = None
    try:
        start, end = _day(q.get("start"), today.replace(day=1)), _day(q.get("end"), today)
        if end < start:
            raise BadRange("结束日期不能早于开始日期")
    except BadRange as exc:
        error, start, end = str(exc), today.replace(day=1), today
    bounds = {
        "from": f"{start.isoformat()}T00:00:00+08:00",
        "to": f"{(end + timedelta(days=1)).isoformat()}T00:00:00+08:00",
    }
    stats, counties = await asyncio.gather(api_get(request, "/api/workflow/stats", bounds), county_names(request))
    span = f"{start.isoformat()}_{end.isoformat()}"
    params = {"by": by, "start": start, "end": end, "error": error, "stats": stats}
    return abnormal_table(stats, str(by), counties, span), params


def _export_path(path: str) -> str:
    """A tab's .xlsx beside its page (the first tab's page is /statistics itself)."""
    return f"{path}.xlsx" if path != "/statistics" else "/statistics/consumption.xlsx"


def _serve(tab: str, build: Callable[[Request], Awaitable[tuple[Table, dict[str, Any]]]]) -> None:
    """The tab's page and its export, both from one builder: the download holds exactly the rows the page shows."""

    async def page(request: Request) -> Response:
        table, params = await build(request)
        return _page(request, tab, table, params)

    async def download(request: Request) -> Response:
        return _download((await build(request))[0])

    path = TABS[tab][1]
    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse, name=f"statistics_{tab}")
    router.add_api_route(_export_path(path), download, methods=["GET"], name=f"statistics_{tab}_xlsx")


_serve("consumption", _consumption)
_serve("online", _online)
_serve("rates", _rates)
_serve("abnormal", _abnormal)
