"""The Jinja2 environment: templates, filters every page uses (CST times, labels), and the per-request context."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from fbjd_core.time import to_cst

from fbjd_web.csrf import ensure_token
from fbjd_web.session import current_principal
from fbjd_web.vocabulary import GRADE_LABELS

__all__ = ["GRADE_LABELS", "TEMPLATES", "cst", "percent", "render"]

HERE = Path(__file__).parent

ROLE_LABELS = {"city": "市局", "county": "分局", "enterprise": "企业", "admin": "管理员"}


def cst(value: str | datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO UTC timestamp from an API → China Standard Time wall clock, as staff read it."""
    if not value:
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
    return to_cst(moment).strftime(fmt)


def percent(value: float | None, digits: int = 1) -> str:
    """0.9734 → 97.3%（None → —）."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _context(request: Request) -> dict[str, Any]:
    """Every template sees the signed-in principal (for navigation) and the CSRF token (for forms)."""
    return {"principal": current_principal(request), "csrf_token": ensure_token(request)}


TEMPLATES = Jinja2Templates(directory=HERE / "templates", context_processors=[_context])
TEMPLATES.env.filters["cst"] = cst
TEMPLATES.env.filters["percent"] = percent
TEMPLATES.env.globals["GRADE_LABELS"] = GRADE_LABELS
TEMPLATES.env.globals["ROLE_LABELS"] = ROLE_LABELS


def render(
    request: Request, page: str, context: dict[str, Any], *, fragment: str | None = None, status: int = 200
) -> Response:
    """The whole page for a browser; for an htmx request (live polling, filters) only `fragment`, when given."""
    template = fragment if fragment is not None and request.headers.get("hx-request") else page
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)
