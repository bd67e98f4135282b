"""The records list's filters (筛选): read from the page's query string, turned into the workflow API's
parameters. Dates are CST calendar days (from the start of the first to the end of the last)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from fbjd_core.time import CST

from fbjd_web.vocabulary import STAGE_LABELS, TYPE_LABELS

__all__ = ["PAGE_SIZE", "AlarmFilters", "api_params", "filters_from"]

PAGE_SIZE = 50
PS_ID = re.compile(r"^[0-9a-f]{32}$")
GRADES = ("general", "serious", "grave")
STATUSES = ("open", "closed")


@dataclass(frozen=True, slots=True)
class AlarmFilters:
    county: str = ""
    industry: str = ""
    enterprise: str = ""  # a part of the name, or a psId
    type: str = ""
    grade: str = ""
    stage: str = ""
    status: str = ""  # open | closed
    date_from: str = ""  # YYYY-MM-DD (CST)
    date_to: str = ""
    offset: int = 0

    def query(self) -> dict[str, str | int | None]:
        """The filters as the page's own query string (for links, the pager and hx-push-url)."""
        values: dict[str, str | int | None] = dict(asdict(self))
        values["from"], values["to"] = values.pop("date_from"), values.pop("date_to")
        values["offset"] = self.offset or None
        return values

    @property
    def active(self) -> bool:
        return any(value for key, value in asdict(self).items() if key != "offset")


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return ""


def _one_of(value: str, allowed: Collection[str]) -> str:
    return value if value in allowed else ""


def filters_from(query: Mapping[str, str]) -> AlarmFilters:
    """Filters from the query string; values outside the closed lists are dropped, not sent."""
    try:
        offset = max(int(query.get("offset", "0") or 0), 0)
    except ValueError:
        offset = 0
    return AlarmFilters(
        county=query.get("county", "").strip()[:12],
        industry=query.get("industry", "").strip()[:50],
        enterprise=query.get("enterprise", "").strip()[:100],
        type=_one_of(query.get("type", ""), TYPE_LABELS),
        grade=_one_of(query.get("grade", ""), GRADES),
        stage=_one_of(query.get("stage", ""), STAGE_LABELS),
        status=_one_of(query.get("status", ""), STATUSES),
        date_from=_day(query.get("from", "")),
        date_to=_day(query.get("to", "")),
        offset=offset,
    )


def _cst_midnight(day: str, *, plus_days: int = 0) -> str:
    moment = datetime.combine(date.fromisoformat(day) + timedelta(days=plus_days), time(0), tzinfo=CST)
    return moment.isoformat()


def api_params(f: AlarmFilters, *, limit: int = PAGE_SIZE, ps_id: str | None = None) -> list[tuple[str, str]]:
    """GET /api/workflow/alarms parameters, newest first; `ps_id` pins an enterprise's own list."""
    params: list[tuple[str, str]] = [("order", "newest"), ("limit", str(limit)), ("offset", str(f.offset))]
    if ps_id:
        params.append(("ps_id", ps_id))
    elif PS_ID.match(f.enterprise):
        params.append(("ps_id", f.enterprise))
    elif f.enterprise:
        params.append(("q", f.enterprise))
    for key, value in (("county", f.county), ("industry", f.industry), ("type", f.type), ("grade", f.grade)):
        if value:
            params.append((key, value))
    if f.stage:
        params.append(("stage", f.stage))
    if f.status:
        params.append(("status", f.status))
    if f.date_from:
        params.append(("from", _cst_midnight(f.date_from)))
    if f.date_to:
        params.append(("to", _cst_midnight(f.date_to, plus_days=1)))
    return params
