"""Technical units (技术单位: 建设厂商 builders, 第三方运营商 operators) for staff: what each built or operates, how
good it is, and the city's published blacklist.

A vendor is judged on the enterprises assigned to it (those the user may see): the registry's audit findings of
their installations, this month's transmission rate of their terminals (ingest's per-enterprise rate, averaged
over the enterprises that have one) and their false alarms (误报) — of all their alarms that started in the last
90 days, those the city approved as not abnormal (审核通过) or that an approved declaration covered (已提前申报),
pooled over the enterprises so a small works does not weigh as much as a large one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fbjd_web.gateway import ApiRefused, Forbidden, api_get, api_get_reply, api_send
from fbjd_web.lookups import county_names, is_staff
from fbjd_web.session import current_principal
from fbjd_web.templating import render

__all__ = [
    "AlarmCounts",
    "VendorRow",
    "average_rate",
    "false_alarm_share",
    "router",
    "vendor_row",
]

router = APIRouter()

KIND_LABELS = {"builder": "建设厂商", "operator": "第三方运营商"}
ROLE_LABELS = {"builder": "建设", "operator": "运营"}
FALSE_ALARM_STAGES = ("approved", "covered_by_declaration")  # 审核通过 (not abnormal), 已提前申报 (covered)
FALSE_ALARM_WINDOW = timedelta(days=90)
PARALLEL_CALLS = 8  # alarm counts run two calls per enterprise; at most this many at once


@dataclass(frozen=True, slots=True)
class AlarmCounts:
    """One enterprise's alarms in the window: all of them, and those that were false (误报)."""

    total: int
    false: int


@dataclass(frozen=True, slots=True)
class VendorRow:
    """One vendor's figures over the enterprises the user may see."""

    id: str
    name: str
    kind: str
    blacklisted: bool
    enterprises: int
    points: int
    audited: int
    passing_audit: int
    audit_errors: int
    audit_warnings: int
    transmission_rate: float | None
    alarms: int
    false_alarms: int
    false_share: float | None


def average_rate(rates: Iterable[float | None]) -> float | None:
    """The mean of the rates that are known (an enterprise without a terminal has none); None when none is."""
    known = [rate for rate in rates if rate is not None]
    return sum(known) / len(known) if known else None


def false_alarm_share(counts: Iterable[AlarmCounts]) -> tuple[int, int, float | None]:
    """(false alarms, all alarms, their share) pooled over enterprises; no alarm → no share (not 0 %)."""
    pooled = list(counts)
    false, total = sum(c.false for c in pooled), sum(c.total for c in pooled)
    return false, total, (false / total if total else None)


def vendor_row(
    quality: Mapping[str, Any], rates: Mapping[str, float | None], counts: Mapping[str, AlarmCounts]
) -> VendorRow:
    """A vendor's row from the registry's quality summary, ingest's rates and the alarm counts (by psId)."""
    ps_ids = [e["ps_id"] for e in quality["by_enterprise"]]
    false, total, share = false_alarm_share(counts[p] for p in ps_ids if p in counts)
    vendor = quality["vendor"]
    return VendorRow(
        id=str(vendor["id"]),
        name=vendor["name"],
        kind=vendor["kind"],
        blacklisted=bool(quality["blacklisted"]),
        enterprises=int(quality["enterprises"]),
        points=int(quality["points"]),
        audited=int(quality["enterprises_audited"]),
        passing_audit=int(quality["enterprises_passing_audit"]),
        audit_errors=int(quality["audit_errors"]),
        audit_warnings=int(quality["audit_warnings"]),
        transmission_rate=average_rate(rates.get(p) for p in ps_ids),
        alarms=total,
        false_alarms=false,
        false_share=share,
    )


def _require_staff(request: Request) -> None:
    if not is_staff(request):
        raise Forbidden


def _may_blacklist(request: Request) -> bool:
    principal = current_principal(request)
    return principal is not None and principal.role.value in ("city", "admin")


async def _transmission_rates(request: Request) -> dict[str, float | None]:
    overview = await api_get(request, "/api/ingest/overview")
    return {e["ps_id"]: e.get("transmission_rate_month") for e in overview.get("enterprises") or []}


async def _alarm_counts(request: Request, ps_ids: Sequence[str]) -> dict[str, AlarmCounts]:
    """Two counting calls per enterprise (limit 1, X-Total-Count), at most PARALLEL_CALLS at once."""
    since = (datetime.now(UTC) - FALSE_ALARM_WINDOW).isoformat()
    gate = asyncio.Semaphore(PARALLEL_CALLS)

    async def count(ps_id: str, stages: Sequence[str]) -> int:
        params: list[tuple[str, str]] = [("ps_id", ps_id), ("from", since), ("limit", "1")]
        params += [("stage", stage) for stage in stages]
        async with gate:
            reply = await api_get_reply(request, "/api/workflow/alarms", params)
        return int(reply.headers.get("x-total-count") or 0)

    async def one(ps_id: str) -> AlarmCounts:
        total, false = await asyncio.gather(count(ps_id, ()), count(ps_id, FALSE_ALARM_STAGES))
        return AlarmCounts(total=total, false=false)

    unique = sorted(set(ps_ids))
    return dict(zip(unique, await asyncio.gather(*(one(p) for p in unique)), strict=True))


@router.get("/vendors", response_class=HTMLResponse)
async def vendors(request: Request) -> Response:
    _require_staff(request)
    listed, rates = await asyncio.gather(api_get(request, "/api/registry/vendors"), _transmission_rates(request))
    qualities = await asyncio.gather(*(api_get(request, f"/api/registry/vendors/{v['id']}/quality") for v in listed))
    counts = await _alarm_counts(request, [e["ps_id"] for q in qualities for e in q["by_enterprise"]])
    rows = sorted((vendor_row(q, rates, counts) for q in qualities), key=lambda r: (r.kind, r.name))
    context = {"rows": rows, "kind_labels": KIND_LABELS, "window_days": FALSE_ALARM_WINDOW.days}
    return render(request, "vendors/page.html", context)


async def _detail(request: Request, vendor_id: uuid.UUID, *, error: str | None = None, status: int = 200) -> Response:
    quality, rates, history, counties = await asyncio.gather(
        api_get(request, f"/api/registry/vendors/{vendor_id}/quality"),
        _transmission_rates(request),
        api_get(request, "/api/registry/vendor-blacklist", {"include_removed": "true"}),
        county_names(request),
    )
    counts = await _alarm_counts(request, [e["ps_id"] for e in quality["by_enterprise"]])
    context = {
        "vendor": quality["vendor"],
        "quality": quality,
        "row": vendor_row(quality, rates, counts),
        "rates": rates,
        "counts": counts,
        "counties": counties,
        "listings": [entry for entry in history if entry["vendor_id"] == str(vendor_id)],
        "kind_labels": KIND_LABELS,
        "role_labels": ROLE_LABELS,
        "may_blacklist": _may_blacklist(request),
        "window_days": FALSE_ALARM_WINDOW.days,
        "error": error,
    }
    return render(request, "vendors/detail.html", context, status=status)


@router.get("/vendors/{vendor_id}", response_class=HTMLResponse)
async def vendor(request: Request, vendor_id: uuid.UUID) -> Response:
    _require_staff(request)
    return await _detail(request, vendor_id)


@router.post("/vendors/{vendor_id}/blacklist", response_class=HTMLResponse)
async def blacklist(request: Request, vendor_id: uuid.UUID, reason: Annotated[str, Form(min_length=1)]) -> Response:
    """The city lists the vendor on its published blacklist (列入黑名单), with the reason it publishes."""
    _require_staff(request)
    body = {"vendor_id": str(vendor_id), "reason": reason}
    try:
        await api_send(request, "POST", "/api/registry/vendor-blacklist", json=body)
    except ApiRefused as exc:
        return await _detail(request, vendor_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/vendors/{vendor_id}", status_code=303)


@router.post("/vendors/{vendor_id}/unlist", response_class=HTMLResponse)
async def unlist(request: Request, vendor_id: uuid.UUID, reason: Annotated[str, Form(min_length=1)]) -> Response:
    """The city takes the vendor off the blacklist (移出黑名单); the listing stays in its history."""
    _require_staff(request)
    try:
        await api_send(request, "POST", f"/api/registry/vendor-blacklist/{vendor_id}/removal", json={"reason": reason})
    except ApiRefused as exc:
        return await _detail(request, vendor_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/vendors/{vendor_id}", status_code=303)
