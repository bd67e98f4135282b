"""Enforcement tasks (移动执法任务): the list by status, and one task with its inspection record and photos."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fbjd_web.downloads import passed_on
from fbjd_web.gateway import api_get, api_get_bytes
from fbjd_web.overview_figures import county_names
from fbjd_web.record_page import file_href
from fbjd_web.templating import render
from fbjd_web.vocabulary import CONCLUSION_LABELS, HANDLING_REASONS, TASK_STATUS_LABELS

__all__ = ["router"]

router = APIRouter()

TASK_LIMIT = 200


@router.get("/tasks", response_class=HTMLResponse)
async def tasks(request: Request, status: str = "") -> Response:
    """The tasks in the user's scope, oldest change first as the API gives them, newest shown first."""
    chosen = status if status in TASK_STATUS_LABELS else ""
    params: dict[str, Any] = {"limit": TASK_LIMIT}
    if chosen:
        params["status"] = chosen
    rows, enterprises, regions = await asyncio.gather(
        api_get(request, "/api/workflow/tasks", params),
        api_get(request, "/api/registry/enterprises", {"limit": 5000}),
        api_get(request, "/api/registry/regions"),
    )
    names = {e["ps_id"]: e["name"] for e in enterprises}
    context = {
        "tasks": list(reversed(rows)),
        "status": chosen,
        "names": names,
        "counties": county_names(regions),
        "limited": len(rows) >= TASK_LIMIT,
        "TASK_STATUS_LABELS": TASK_STATUS_LABELS,
    }
    return render(request, "tasks/page.html", context, fragment="tasks/_table.html")


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
async def task(request: Request, task_id: uuid.UUID) -> Response:
    document = await api_get(request, f"/api/workflow/tasks/{task_id}")
    context = {
        "task": document,
        "file_href": file_href,
        "TASK_STATUS_LABELS": TASK_STATUS_LABELS,
        "HANDLING_REASONS": HANDLING_REASONS,
        "CONCLUSION_LABELS": CONCLUSION_LABELS,
    }
    return render(request, "tasks/task.html", context)


@router.get("/tasks/{task_id}/files/{file_id}")
async def task_file(request: Request, task_id: uuid.UUID, file_id: uuid.UUID) -> Response:
    """An evidence file or inspection photo of the task (always a download)."""
    return passed_on(await api_get_bytes(request, f"/api/workflow/tasks/{task_id}/files/{file_id}"))
