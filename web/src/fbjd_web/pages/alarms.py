"""Abnormal records (异常记录): the filterable, paginated list with the city's bulk review, one record's page
(evidence chart, the province's fields, history, declarations, task, review) and the record files' downloads."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.auth import Role

from fbjd_web.downloads import passed_on
from fbjd_web.gateway import ApiRefused, api_get, api_get_bytes, api_get_reply, api_send
from fbjd_web.overview_figures import county_names
from fbjd_web.paging import page_of, with_query
from fbjd_web.record_page import REVIEWERS, record_context
from fbjd_web.records_query import PAGE_SIZE, api_params, filters_from
from fbjd_web.session import current_principal
from fbjd_web.templating import render
from fbjd_web.vocabulary import STAGE_LABELS, TYPE_LABELS

__all__ = ["router"]

router = APIRouter()


async def list_context(request: Request, *, ps_id: str | None = None, base: str = "/alarms") -> dict[str, Any]:
    """The list's rows and pager for the query string's filters (`ps_id` pins an enterprise's own list)."""
    filters = filters_from(request.query_params)
    reply = await api_get_reply(request, "/api/workflow/alarms", api_params(filters, ps_id=ps_id))
    rows = reply.json()
    page = page_of(
        offset=filters.offset, limit=PAGE_SIZE, shown=len(rows), total_header=reply.headers.get("x-total-count")
    )
    principal = current_principal(request)
    query = filters.query()
    return {
        "alarms": rows,
        "filters": filters,
        "page": page,
        "previous_url": with_query(base, query, offset=page.previous_offset or None),
        "next_url": with_query(base, query, offset=page.next_offset),
        "base": base,
        "can_bulk": principal is not None and principal.role in REVIEWERS,
        "STAGE_LABELS": STAGE_LABELS,
        "TYPE_LABELS": TYPE_LABELS,
    }


async def _options(request: Request) -> dict[str, Any]:
    """The filter form's county and industry choices, from the registry (only what the user may see)."""
    regions, enterprises = await asyncio.gather(
        api_get(request, "/api/registry/regions"), api_get(request, "/api/registry/enterprises", {"limit": 5000})
    )
    principal = current_principal(request)
    counties = county_names(regions)
    if principal is not None and principal.county:
        counties = {code: name for code, name in counties.items() if code == principal.county}
    industries = sorted({str(e["industry"]) for e in enterprises if e.get("industry")})
    return {"counties": counties, "industries": industries}


@router.get("/alarms", response_class=HTMLResponse)
async def alarms(request: Request) -> Response:
    principal = current_principal(request)
    if principal is not None and principal.role is Role.ENTERPRISE:
        return RedirectResponse(str(request.url.replace(path="/my/alarms")), status_code=303)
    if request.headers.get("hx-request"):
        return render(request, "alarms/page.html", await list_context(request), fragment="alarms/_table.html")
    context, options = await asyncio.gather(list_context(request), _options(request))
    return render(request, "alarms/page.html", {**context, **options})


@router.post("/alarms/review", response_class=HTMLResponse)
async def bulk_review(
    request: Request,
    decision: Annotated[str, Form()],
    opinion: Annotated[str, Form()] = "",
    alarm_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """批量审核: one opinion for the ticked records; the answer lists each record's outcome."""
    chosen = [a for a in alarm_id or [] if _is_uuid(a)]
    results: list[Any] = []
    error = None
    if not chosen:
        error = "请先勾选要审核的记录（仅“市局审核”环节的记录可批量审核）"
    elif len(opinion.strip()) < 2:
        error = "请填写审核意见（至少 2 个字）"
    else:
        try:
            answer = await api_send(
                request,
                "POST",
                "/api/workflow/alarms/review",
                json={"alarm_ids": chosen, "decision": decision, "opinion": opinion.strip()},
            )
            results = answer.get("results") or []
        except ApiRefused as exc:
            error = exc.message
    context = {"results": results, "error": error, "decision": decision, "STAGE_LABELS": STAGE_LABELS}
    return render(request, "alarms/bulk_page.html", context, fragment="alarms/_bulk_results.html")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.get("/alarms/{alarm_id}", response_class=HTMLResponse)
async def record(request: Request, alarm_id: uuid.UUID) -> Response:
    return render(request, "alarms/record.html", await record_context(request, str(alarm_id)))


@router.post("/alarms/{alarm_id}/review", response_class=HTMLResponse)
async def review(
    request: Request,
    alarm_id: uuid.UUID,
    decision: Annotated[str, Form()],
    opinion: Annotated[str, Form()] = "",
    expected_revision: Annotated[int | None, Form()] = None,
) -> Response:
    """审核 one record; answered with its new state, or why not (409: someone else reviewed it first)."""
    message = error = None
    if len(opinion.strip()) < 2:
        error = "请填写审核意见（至少 2 个字）"
    else:
        body: dict[str, Any] = {"decision": decision, "opinion": opinion.strip()}
        if expected_revision is not None:
            body["expected_revision"] = expected_revision
        try:
            await api_send(request, "POST", f"/api/workflow/alarms/{alarm_id}/review", json=body)
            message = (
                "已审核通过，记录办结。" if decision == "approve" else "已审核不通过，已推送省平台并派发执法任务。"
            )
        except ApiRefused as exc:
            if exc.status == 409:
                error = f"该记录已被他人处理，页面显示的是最新状态。（{exc.message}）"
            else:
                error = exc.message
    context = await record_context(request, str(alarm_id))
    context.update(message=message, error=error)
    return render(request, "alarms/record.html", context, fragment="alarms/_disposition.html")


@router.get("/files/{file_id}")
async def download_file(request: Request, file_id: uuid.UUID) -> Response:
    """A declaration's evidence file or an inspection photo, as the workflow sends it (always an attachment)."""
    return passed_on(await api_get_bytes(request, f"/api/workflow/files/{file_id}"))
