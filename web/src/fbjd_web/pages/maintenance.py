"""Maintenance tickets (运维工单): the rules' device and data findings (offline terminal, transmission rate under
90 %, stuck values, power-off, clock skew) as work assigned to the enterprise's operator (已派单), started (处理中)
and closed with the maintenance record (已关闭). The workflow says what the signed-in user may do next
(`allowed_actions`); the page offers exactly that."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fbjd_web.gateway import ApiRefused, api_get, api_get_reply, api_send
from fbjd_web.paging import page_of, with_query
from fbjd_web.templating import render

__all__ = ["router"]

router = APIRouter()

PAGE_SIZE = 50
#: The list's status filter: `open` is every ticket not yet closed; the others are the ticket's states.
STATUS_LABELS = {"open": "未关闭", "assigned": "已派单", "in_progress": "处理中", "closed": "已关闭"}


@router.get("/maintenance", response_class=HTMLResponse)
async def tickets(
    request: Request,
    status: Annotated[str, Query(pattern="^(open|assigned|in_progress|closed|)$")] = "open",
    ps_id: Annotated[str | None, Query(pattern="^[0-9a-f]{32}$", description="one enterprise's tickets")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    params = {"status": status or None, "ps_id": ps_id, "limit": PAGE_SIZE, "offset": offset}
    reply = await api_get_reply(
        request, "/api/workflow/maintenance", {k: v for k, v in params.items() if v is not None}
    )
    rows = reply.json()
    page = page_of(offset=offset, limit=PAGE_SIZE, shown=len(rows), total_header=reply.headers.get("x-total-count"))
    context = {
        "tickets": rows,
        "status": status,
        "page": page,
        "status_labels": STATUS_LABELS,
        "ps_id": ps_id,
        "previous_url": with_query("/maintenance", {"status": status, "ps_id": ps_id}, offset=page.previous_offset),
        "next_url": with_query("/maintenance", {"status": status, "ps_id": ps_id}, offset=page.next_offset),
    }
    return render(request, "maintenance/page.html", context, fragment="maintenance/_table.html")


@router.get("/maintenance/{ticket_id}", response_class=HTMLResponse)
async def ticket(request: Request, ticket_id: uuid.UUID) -> Response:
    found = await api_get(request, f"/api/workflow/maintenance/{ticket_id}")
    return render(request, "maintenance/ticket.html", {"ticket": found, "error": None})


async def _refused(request: Request, ticket_id: uuid.UUID, exc: ApiRefused) -> Response:
    """The ticket again, with the workflow's reason (a 409 says what is possible now)."""
    found = await api_get(request, f"/api/workflow/maintenance/{ticket_id}")
    return render(request, "maintenance/ticket.html", {"ticket": found, "error": exc.message}, status=exc.status)


@router.post("/maintenance/{ticket_id}/start", response_class=HTMLResponse)
async def start(request: Request, ticket_id: uuid.UUID, note: Annotated[str, Form()] = "") -> Response:
    """开始处理: the operator takes the ticket (已派单 → 处理中); who and when are the signed-in user and now."""
    try:
        await api_send(request, "POST", f"/api/workflow/maintenance/{ticket_id}/start", json={"note": note})
    except ApiRefused as exc:
        return await _refused(request, ticket_id, exc)
    return RedirectResponse(f"/maintenance/{ticket_id}", status_code=303)


@router.post("/maintenance/{ticket_id}/resolve", response_class=HTMLResponse)
async def resolve(
    request: Request,
    ticket_id: uuid.UUID,
    text: Annotated[str, Form(min_length=1)],
    action: Annotated[str, Form()] = "",
    result: Annotated[str, Form()] = "",
) -> Response:
    """The maintenance record (运维记录): what was wrong, what was done, the result."""
    body = {"text": text, "action": action, "result": result}
    try:
        await api_send(request, "POST", f"/api/workflow/maintenance/{ticket_id}/resolve", json=body)
    except ApiRefused as exc:
        return await _refused(request, ticket_id, exc)
    return RedirectResponse(f"/maintenance/{ticket_id}", status_code=303)
