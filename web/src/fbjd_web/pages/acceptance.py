"""Acceptance (验收) for the city and the counties: the province's progress tables (附件1/附件2), lifecycle counts,
the applications waiting for the county, the 5 % spot-check draw and its results; per enterprise the registry's
platform audit (分表计电平台审核表: 12 items pre-filled from the data, with their evidence) that the county confirms,
the site audit (现场核查) with its photos, the application's documents, the city's filing (备案), and the printable
acceptance report (沧州市工业企业分表计电系统验收报告).

The transmission-rate item is the one the registry cannot decide alone: this page reads ingest's monthly rates of
the enterprise's terminals and passes their combined rate as `?transmission_rate=` (and in the PUT)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.time import CST, now

from fbjd_web.gateway import Forbidden, NotVisible, api_get, api_get_bytes, api_send
from fbjd_web.lookups import STAGE_LABELS, county_names, enterprise_index
from fbjd_web.pages.application import (
    Refusal,
    document_rows,
    dossier_save,
    dossier_upload,
    dossier_view,
    download,
    registry_write,
)
from fbjd_web.session import current_principal
from fbjd_web.templating import render
from fbjd_web.xlsx import XLSX_MEDIA_TYPE, content_disposition

__all__ = [
    "BASIS_LABELS",
    "WAITING_STATES",
    "audit_payload",
    "enterprise_rate",
    "item_errors",
    "router",
    "site_payload",
]

router = APIRouter()
PsId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]

BASIS_LABELS = {"data": "平台数据", "input": "传输率统计", "auditor": "人工核查"}
#: Applications the county has to act on (or the city to file).
WAITING_STATES = ("submitted", "under_audit", "rectification", "passed")
REVIEWABLE_STATES = frozenset({"submitted", "under_audit"})
#: Enterprises whose application the overview looks up: only a networked one can be in the process.
MAX_LOOKED_UP = 200


def _role(request: Request) -> str | None:
    principal = current_principal(request)
    return None if principal is None else principal.role.value


def _is_city(request: Request) -> bool:
    return _role(request) in ("city", "admin")


def _is_auditor(request: Request) -> bool:
    return _role(request) in ("county", "admin")


def enterprise_rate(items: Iterable[Mapping[str, Any]], ps_id: str) -> float | None:
    """Ingest's monthly rates of one enterprise's terminals → their combined rate in percent (one decimal):
    Σ min(received, expected) ÷ Σ expected, so a device that resends cannot lift another's gap; None when
    nothing was expected of them this month."""
    received = expected = 0
    for item in items:
        if item.get("ps_id") != ps_id:
            continue
        wanted = int(item.get("expected") or 0)
        received += min(int(item.get("received") or 0), wanted)
        expected += wanted
    return None if expected == 0 else round(100 * received / expected, 1)


def audit_payload(codes: Sequence[str], values: Mapping[str, str]) -> dict[str, Any]:
    """The county's audit form → PlatformAuditIn. An item without a decision is left out (the registry then
    names it among the items still to confirm); blanks go as null."""
    items = []
    for code in codes:
        decision = values.get(f"passed-{code}")
        if decision not in ("yes", "no"):
            continue
        opinion = (values.get(f"opinion-{code}") or "").strip()
        items.append({"code": code, "passed": decision == "yes", "opinion": opinion or None})
    payload: dict[str, Any] = {"items": items, "opinion": (values.get("opinion") or "").strip()}
    rate = (values.get("transmission_rate") or "").strip()
    payload["transmission_rate"] = _number(rate)
    payload["rectification_deadline"] = (values.get("rectification_deadline") or "").strip() or None
    return payload


def _number(text: str) -> float | str | None:
    if not text:
        return None
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return text  # the registry answers 须为数字


def item_errors(problems: Mapping[str, str], sent_codes: Sequence[str]) -> dict[str, str]:
    """The registry's problems `items.<n>.opinion` (n: position in what was sent) → item code → message."""
    errors: dict[str, str] = {}
    for name, message in problems.items():
        found = re.fullmatch(r"items\.(\d+)(?:\..*)?", name)
        if found and int(found.group(1)) < len(sent_codes):
            errors[sent_codes[int(found.group(1))]] = message
    return errors


def site_payload(values: Mapping[str, str]) -> dict[str, Any]:
    """现场核查 form → SiteAuditIn: people separated by 、 , ， ; or spaces."""
    people = [p for p in re.split(r"[、,，;；\s]+", values.get("people") or "") if p]
    decision = values.get("site_passed")
    payload: dict[str, Any] = {
        "audited_on": (values.get("audited_on") or "").strip() or None,
        "people": people,
        "findings": (values.get("findings") or "").strip(),
        "rectification_deadline": (values.get("site_deadline") or "").strip() or None,
    }
    if decision in ("yes", "no"):
        payload["passed"] = decision == "yes"
    return payload


async def _application_or_none(request: Request, ps_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/application")
    except (NotVisible, Forbidden):
        return None
    return found


async def _applications(request: Request, enterprises: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The application of each networked enterprise (the registry lists no applications by state)."""
    candidates = [e for e in enterprises if e["stage"] == "networked"][:MAX_LOOKED_UP]
    found = await asyncio.gather(*(_application_or_none(request, e["ps_id"]) for e in candidates))
    return [{"enterprise": e, "application": a} for e, a in zip(candidates, found, strict=True) if a is not None]


def _waiting_order(row: Mapping[str, Any]) -> tuple[int, str]:
    """Submitted first (the county's work), then under audit, rectification, passed; oldest submission first."""
    application = row["application"]
    return WAITING_STATES.index(application["state"]), str(application["submitted_at"] or "")


@router.get("/acceptance", response_class=HTMLResponse)
async def acceptance(request: Request, month: str | None = None) -> Response:
    """Progress, lifecycle counts, spot checks; the applications list follows in its own request (htmx, on
    load), as it takes one registry call per networked enterprise."""
    principal = current_principal(request)
    if principal is not None and principal.role.value == "enterprise":
        return RedirectResponse("/my/acceptance", status_code=303)
    month = month or now().astimezone(CST).strftime("%Y-%m")
    city = _is_city(request)
    progress, index, checks = await asyncio.gather(
        api_get(request, "/api/registry/acceptance/progress", {"month": month}),
        enterprise_index(request),
        api_get(request, "/api/registry/spot-checks") if city else asyncio.sleep(0, result=[]),
    )
    stages = Counter(e["stage"] for e in index.values())
    context = {
        "month": month,
        "progress": progress,
        "stages": {key: stages.get(key, 0) for key in STAGE_LABELS},
        "stage_labels": STAGE_LABELS,
        "total": len(index),
        "checks": sorted(checks, key=lambda c: c["drawn_at"], reverse=True),
        "city": city,
    }
    return render(request, "acceptance/page.html", context)


@router.get("/acceptance/applications", response_class=HTMLResponse)
async def applications(request: Request) -> Response:
    """验收申请 waiting for the county (submitted, under audit, rectification) or the city (passed), and the
    networked enterprises that have not applied yet."""
    principal = current_principal(request)
    if principal is not None and principal.role.value == "enterprise":
        return RedirectResponse("/my/acceptance", status_code=303)
    index, counties = await asyncio.gather(enterprise_index(request, stage="networked"), county_names(request))
    rows = await _applications(request, sorted(index.values(), key=lambda e: (e["county_code"], e["name"])))
    waiting = sorted((r for r in rows if r["application"]["state"] in WAITING_STATES), key=_waiting_order)
    context = {
        "waiting": waiting,
        "not_applied": [r for r in rows if r["application"]["state"] not in WAITING_STATES],
        "counties": counties,
    }
    return render(request, "acceptance/applications.html", context, fragment="acceptance/_applications.html")


async def _registry_file(request: Request, path: str, params: Any, fallback: str) -> Response:
    reply = await api_get_bytes(request, path, params)
    disposition = reply.headers.get("content-disposition") or content_disposition(fallback)
    return Response(reply.content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition})


@router.get("/acceptance/progress.xlsx")
async def progress_xlsx(request: Request, month: str | None = None) -> Response:
    """附件2 安装联网进度表, as the registry writes it for the province."""
    params = {"month": month} if month else None
    return await _registry_file(request, "/api/registry/acceptance/progress.xlsx", params, "安装联网进度表.xlsx")


@router.get("/acceptance/install-list.xlsx")
async def install_list_xlsx(request: Request) -> Response:
    """附件1 安装联网企业清单."""
    return await _registry_file(request, "/api/registry/acceptance/install-list.xlsx", None, "安装联网企业清单.xlsx")


@router.post("/acceptance/spot-checks")
async def draw_spot_check(
    request: Request, name: Annotated[str, Form()], share: Annotated[float, Form()] = 0.05
) -> Response:
    """Draw at least 5 % of the accepted enterprises (the registry records seed and method, so it can be re-drawn)."""
    created = await api_send(request, "POST", "/api/registry/spot-checks", json={"name": name, "share": share})
    return RedirectResponse(f"/acceptance/spot-checks/{created['id']}", status_code=303)


@router.get("/acceptance/spot-checks/{check_id}", response_class=HTMLResponse)
async def spot_check(request: Request, check_id: uuid.UUID) -> Response:
    found, counties = await asyncio.gather(
        api_get(request, f"/api/registry/spot-checks/{check_id}"), county_names(request)
    )
    return render(request, "acceptance/spot_check.html", {"check": found, "counties": counties})


@router.post("/acceptance/spot-checks/{check_id}/items/{ps_id}")
async def record_spot_result(
    request: Request,
    check_id: uuid.UUID,
    ps_id: PsId,
    passed: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    body = {"passed": passed == "yes", "note": note.strip() or None}
    await api_send(request, "PUT", f"/api/registry/spot-checks/{check_id}/items/{ps_id}", json=body)
    return RedirectResponse(f"/acceptance/spot-checks/{check_id}#item-{ps_id}", status_code=303)


# ---- one enterprise: the county's audit, the site audit, the city's filing ----


async def _rate_of(request: Request, ps_id: str) -> float | None:
    rates = await api_get(request, "/api/ingest/rates")
    return enterprise_rate(rates.get("items") or [], ps_id)


async def _review(
    request: Request,
    ps_id: str,
    *,
    refusal: Refusal | None = None,
    posted: Mapping[str, str] | None = None,
    sent_codes: Sequence[str] = (),
    flash: str | None = None,
) -> dict[str, Any]:
    """Everything the audit page shows (404 for an enterprise out of scope)."""
    application, rate, counties = await asyncio.gather(
        api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/application"),
        _rate_of(request, ps_id),
        county_names(request),
    )
    params = None if rate is None else {"transmission_rate": rate}
    audit = await api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/audit", params)
    enterprise = application["enterprise"]
    state = application["state"]
    problems = refusal.problems if refusal else {}
    return {
        "ps_id": ps_id,
        "enterprise": enterprise,
        "county_name": counties.get(enterprise["county_code"], enterprise["county_code"]),
        "application": application,
        "audit": audit,
        "rate": rate,
        "rows": document_rows(application["required_documents"], application["documents"]),
        "basis_labels": BASIS_LABELS,
        "stage_labels": STAGE_LABELS,
        "can_audit": _is_auditor(request) and state in REVIEWABLE_STATES,
        "can_site_audit": _is_auditor(request)
        and state in REVIEWABLE_STATES
        and audit["confirmed"]
        and all(i["passed"] is not False for i in audit["items"]),
        "can_file": _is_city(request) and state == "passed",
        "refusal": refusal,
        "problems": problems,
        "item_errors": item_errors(problems, sent_codes),
        "posted": posted or {},
        "flash": flash,
        "today": now().astimezone(CST).date().isoformat(),
    }


FLASHES = {
    "audit": "平台审核已保存。",
    "site": "现场核查已记录。",
    "photo": "现场照片已上传。",
    "filed": "已备案，企业建设进度为「已验收」。",
}


@router.get("/acceptance/enterprises/{ps_id}", response_class=HTMLResponse)
async def enterprise_audit(request: Request, ps_id: PsId, done: str | None = None) -> Response:
    """验收审核: the application, its documents, the 12 items with the data's suggestion, the site audit."""
    context = await _review(request, ps_id, flash=FLASHES.get(done or ""))
    return render(request, "acceptance/audit.html", context)


async def _refused(
    request: Request, ps_id: str, refusal: Refusal, posted: Mapping[str, str], sent_codes: Sequence[str] = ()
) -> Response:
    context = await _review(request, ps_id, refusal=refusal, posted=posted, sent_codes=sent_codes)
    return render(request, "acceptance/audit.html", context, status=refusal.status)


@router.post("/acceptance/enterprises/{ps_id}/audit", response_class=HTMLResponse)
async def confirm_audit(request: Request, ps_id: PsId) -> Response:
    """The county confirms each item (passed or not, with an opinion), the overall opinion and, when an item
    fails, the rectification deadline."""
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    codes = [str(code) for code in form.getlist("codes")]
    payload = audit_payload(codes, values)
    sent = [item["code"] for item in payload["items"]]
    answer = await registry_write(request, "PUT", f"/api/registry/enterprises/{ps_id}/acceptance/audit", json=payload)
    if isinstance(answer, Refusal):
        return await _refused(request, ps_id, answer, values, sent)
    return RedirectResponse(f"/acceptance/enterprises/{ps_id}?done=audit#platform-audit", status_code=303)


@router.post("/acceptance/enterprises/{ps_id}/site-audit", response_class=HTMLResponse)
async def record_site_audit(request: Request, ps_id: PsId) -> Response:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    answer = await registry_write(
        request, "PUT", f"/api/registry/enterprises/{ps_id}/acceptance/site-audit", json=site_payload(values)
    )
    if isinstance(answer, Refusal):
        return await _refused(request, ps_id, answer, values)
    return RedirectResponse(f"/acceptance/enterprises/{ps_id}?done=site#site-audit", status_code=303)


@router.post("/acceptance/enterprises/{ps_id}/site-photos", response_class=HTMLResponse)
async def upload_site_photo(
    request: Request, ps_id: PsId, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    if file is None or not file.filename:
        return await _refused(request, ps_id, Refusal(422, "请选择要上传的照片"), {})
    part = (file.filename, await file.read(), file.content_type or "application/octet-stream")
    answer = await registry_write(
        request, "POST", f"/api/registry/enterprises/{ps_id}/acceptance/site-audit/photos", files={"file": part}
    )
    if isinstance(answer, Refusal):
        return await _refused(request, ps_id, answer, {})
    return RedirectResponse(f"/acceptance/enterprises/{ps_id}?done=photo#site-audit", status_code=303)


@router.post("/acceptance/enterprises/{ps_id}/filing", response_class=HTMLResponse)
async def file_acceptance(request: Request, ps_id: PsId, on: Annotated[str, Form()] = "") -> Response:
    """备案 by the city: the application → filed, the enterprise → accepted on that date (today by default)."""
    body = {"on": on.strip()} if on.strip() else {}
    answer = await registry_write(request, "POST", f"/api/registry/enterprises/{ps_id}/acceptance/filing", json=body)
    if isinstance(answer, Refusal):
        return await _refused(request, ps_id, answer, {"on": on})
    return RedirectResponse(f"/acceptance/enterprises/{ps_id}?done=filed", status_code=303)


@router.get("/acceptance/documents/{document_id}")
async def acceptance_document(request: Request, document_id: uuid.UUID) -> Response:
    """An application document or site photo, downloaded through the web (the registry checks the scope)."""
    return await download(request, document_id)


@router.get("/acceptance/enterprises/{ps_id}/report", response_class=HTMLResponse)
async def acceptance_report(request: Request, ps_id: PsId) -> Response:
    """沧州市工业企业分表计电系统验收报告: the registry's report data in the web's print layout (A4, no
    navigation), with the twelve items as the auditor decided them."""
    report, audit = await asyncio.gather(
        api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/report"),
        api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/audit"),
    )
    context = {"ps_id": ps_id, "report": report, "audit": audit, "basis_labels": BASIS_LABELS}
    return render(request, "acceptance/report.html", context)


@router.get("/acceptance/enterprises/{ps_id}/dossier", response_class=HTMLResponse)
async def enterprise_dossier(request: Request, ps_id: PsId, done: str | None = None) -> Response:
    """一企一档 of one enterprise, for the county and the city (who may also complete it)."""
    return await dossier_view(request, ps_id, done)


@router.post("/acceptance/enterprises/{ps_id}/dossier/{section}", response_class=HTMLResponse)
async def save_dossier_section(request: Request, ps_id: PsId, section: str) -> Response:
    return await dossier_save(request, ps_id, section)


@router.post("/acceptance/enterprises/{ps_id}/dossier/{section}/documents", response_class=HTMLResponse)
async def upload_dossier_file(
    request: Request,
    ps_id: PsId,
    section: str,
    kind: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    return await dossier_upload(request, ps_id, section, kind, file)
