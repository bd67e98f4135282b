"""The enterprise's own acceptance application (验收申请, 企业自助): the basic information form
分表计电验收申请基础信息表 with every 必填 field, its documents by kind (upload, download), what is still
missing, submission, and the county's opinions and rectification deadline once audited;
and the enterprise dossier (一企一档).

Writes go to the registry with the user's token; its 422 `problems` (field, Chinese label, message) are shown
beside the field they name, so the enterprise sees every problem at once and nothing is lost from the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fbjd_core.auth import Principal, Role

from fbjd_web.gateway import Forbidden, NotVisible, SignedOut, api_get, api_get_bytes
from fbjd_web.session import TOKEN_COOKIE, current_principal, home_of
from fbjd_web.templating import render

__all__ = [
    "FORM_FIELDS",
    "Refusal",
    "document_rows",
    "download",
    "form_payload",
    "refusal_of",
    "registry_write",
    "router",
]

router = APIRouter()

#: The application's own fields of 分表计电验收申请基础信息表, in the form's order: name → (label, input type).
FORM_FIELDS: dict[str, tuple[str, str]] = {
    "builder_name": ("建设厂商", "text"),
    "builder_contact": ("建设厂商联系人", "text"),
    "builder_phone": ("建设厂商联系电话", "tel"),
    "installed_on": ("安装完成日期", "date"),
    "networked_on": ("联网日期", "date"),
    "devices_count": ("采集终端数量（台）", "number"),
    "permit_production_facilities": ("排污许可证载明的生产设施数量（台/套）", "number"),
    "permit_treatment_facilities": ("排污许可证载明的治污设施数量（台/套）", "number"),
    "applicant_name": ("申请人", "text"),
    "applicant_phone": ("申请人联系电话", "tel"),
    "applied_on": ("申请日期", "date"),
    "remarks": ("备注", "textarea"),
}
OPTIONAL_FIELDS = frozenset({"remarks"})
INTEGER_FIELDS = frozenset({"devices_count", "permit_production_facilities", "permit_treatment_facilities"})
EDITABLE_STATES = frozenset({"draft", "rectification"})
#: Part one of the form: the enterprise's own fields, kept by the registry (corrected by the county), shown read-only.
ENTERPRISE_FIELDS = (
    ("name", "企业名称"),
    ("credit_code", "统一社会信用代码"),
    ("address", "企业地址"),
    ("permit_no", "排污许可证编号"),
    ("legal_representative", "法定代表人"),
    ("category", "企业类别"),
    ("industry", "行业类别"),
    ("env_contact_name", "环保联系人"),
    ("env_contact_phone", "环保联系人电话"),
    ("operator_name", "第三方运维单位"),
)


@dataclass(frozen=True)
class Refusal:
    """What the registry refused and why: its message, and each bad field's problem (field path → message)."""

    status: int
    message: str
    problems: dict[str, str] = field(default_factory=dict)
    labelled: tuple[str, ...] = ()  # "label：message" per problem, for a summary list


def refusal_of(status: int, body: Any) -> Refusal:
    """The registry's error body `{"error": {code, message, problems: [{field, label, message}]}}` → Refusal
    (anything else, e.g. a proxy's text, becomes a message of its own)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        detail = body.get("detail") if isinstance(body, Mapping) else body
        return Refusal(status, str(detail or "请求未被接受"))
    problems: dict[str, str] = {}
    labelled: list[str] = []
    for problem in error.get("problems") or []:
        if not isinstance(problem, Mapping):
            continue
        name, message = str(problem.get("field", "")), str(problem.get("message", ""))
        problems[name] = f"{problems[name]}；{message}" if name in problems else message
        labelled.append(f"{problem.get('label') or name}：{message}")
    return Refusal(status, str(error.get("message") or "请求未被接受"), problems, tuple(labelled))


async def registry_write(request: Request, method: str, path: str, **sent: Any) -> Any | Refusal:
    """POST/PUT as the signed-in user; the decoded answer, or a Refusal for a 4xx the user can fix (422, 409,
    413, 415…). Sign-out, 403 and 404 raise as everywhere else (login page, 403 page, 404 page)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise SignedOut
    client: httpx.AsyncClient = request.app.state.http
    reply = await client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **sent)
    if reply.status_code == 401:
        raise SignedOut
    if reply.status_code == 403:
        raise Forbidden
    if reply.status_code == 404:
        raise NotVisible
    if 400 <= reply.status_code < 500:
        try:
            body: Any = reply.json()
        except ValueError:
            body = reply.text[:300]
        return refusal_of(reply.status_code, body)
    reply.raise_for_status()
    return reply.json() if reply.content else None


def form_payload(values: Mapping[str, str]) -> dict[str, Any]:
    """The posted form → the registry's JSON: blanks left out (so the registry names each 必填 field), counts as
    integers where they are (anything else goes as typed, and the registry says 须为整数), remarks optional."""
    payload: dict[str, Any] = {}
    for name in FORM_FIELDS:
        value = (values.get(name) or "").strip()
        if not value:
            if name in OPTIONAL_FIELDS:
                payload[name] = None
            continue
        if name in INTEGER_FIELDS:
            try:
                payload[name] = int(value)
            except ValueError:
                payload[name] = value
        else:
            payload[name] = value
    return payload


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    label: str
    present: bool
    files: list[dict[str, Any]]


def document_rows(required: Iterable[Mapping[str, Any]], documents: Iterable[Mapping[str, Any]]) -> list[DocumentRow]:
    """One row per required kind (in the registry's order) with its files, newest first; kinds the registry
    keeps that are not required (none today) follow, so no uploaded file goes unseen."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, str] = {}
    for document in documents:
        by_kind.setdefault(str(document["kind"]), []).append(dict(document))
        labels[str(document["kind"])] = str(document.get("kind_label") or document["kind"])
    rows = [
        DocumentRow(
            str(r["kind"]),
            str(r["label"]),
            bool(r["present"]),
            sorted(by_kind.pop(str(r["kind"]), []), key=lambda d: str(d["uploaded_at"]), reverse=True),
        )
        for r in required
    ]
    for kind, files in by_kind.items():
        rows.append(DocumentRow(kind, labels[kind], True, sorted(files, key=lambda d: str(d["uploaded_at"]))))
    return rows


async def download(request: Request, document_id: uuid.UUID) -> Response:
    """A stored document through the web, always as an attachment of its checked type (the registry decides who
    may read it: an enterprise only its own)."""
    reply = await api_get_bytes(request, f"/api/registry/documents/{document_id}")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": reply.headers.get("content-disposition") or "attachment",
        "Cache-Control": "private, no-store",
    }
    return Response(
        reply.content, media_type=reply.headers.get("content-type", "application/octet-stream"), headers=headers
    )


def _enterprise(request: Request) -> Principal | None:
    principal = current_principal(request)
    return principal if principal is not None and principal.role is Role.ENTERPRISE else None


def _elsewhere(request: Request, path: str) -> Response:
    principal = current_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(path if principal.role is not Role.ENTERPRISE else home_of(principal), status_code=303)


async def _page(
    request: Request,
    ps_id: str,
    *,
    values: Mapping[str, Any] | None = None,
    refusal: Refusal | None = None,
    flash: str | None = None,
    status: int = 200,
) -> Response:
    application = await api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/application")
    audit = None
    if application["round"] > 0:
        audit = await api_get(request, f"/api/registry/enterprises/{ps_id}/acceptance/audit")
    form = application.get("form") or {}
    context = {
        "application": application,
        "audit": audit,
        "enterprise": application["enterprise"],
        "enterprise_fields": ENTERPRISE_FIELDS,
        "fields": FORM_FIELDS,
        "optional": OPTIONAL_FIELDS,
        "values": values if values is not None else {k: "" if form.get(k) is None else form[k] for k in FORM_FIELDS},
        "refusal": refusal,
        "problems": refusal.problems if refusal else {},
        "rows": document_rows(application["required_documents"], application["documents"]),
        "editable": application["state"] in EDITABLE_STATES,
        "flash": flash,
    }
    return render(request, "application/page.html", context, status=status)


FLASHES = {
    "saved": "基础信息表已保存。",
    "uploaded": "材料已上传。",
    "submitted": "验收申请已提交，等待县（市、区）分局审核。",
}


@router.get("/my/acceptance", response_class=HTMLResponse)
async def my_acceptance(request: Request, done: str | None = None) -> Response:
    """验收申请: the application as it stands, the form, documents, what is missing, the county's opinions."""
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request, "/acceptance")
    return await _page(request, principal.enterprise_id, flash=FLASHES.get(done or ""))


@router.post("/my/acceptance/form", response_class=HTMLResponse)
async def save_form(request: Request) -> Response:
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request, "/acceptance")
    posted = await request.form()
    values = {name: str(posted.get(name) or "") for name in FORM_FIELDS}
    ps_id = principal.enterprise_id
    answer = await registry_write(
        request, "POST", f"/api/registry/enterprises/{ps_id}/acceptance/application", json=form_payload(values)
    )
    if isinstance(answer, Refusal):
        return await _page(request, ps_id, values=values, refusal=answer, status=answer.status)
    return RedirectResponse("/my/acceptance?done=saved#form", status_code=303)


@router.post("/my/acceptance/documents", response_class=HTMLResponse)
async def upload_document(
    request: Request, kind: Annotated[str, Form()], file: Annotated[UploadFile | None, File()] = None
) -> Response:
    """One document of the application (multipart; the registry checks type by content and size)."""
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request, "/acceptance")
    ps_id = principal.enterprise_id
    if file is None or not file.filename:
        return await _page(request, ps_id, refusal=Refusal(422, "请选择要上传的文件"), status=422)
    part = (file.filename, await file.read(), file.content_type or "application/octet-stream")
    answer = await registry_write(
        request,
        "POST",
        f"/api/registry/enterprises/{ps_id}/acceptance/documents",
        data={"kind": kind},
        files={"file": part},
    )
    if isinstance(answer, Refusal):
        return await _page(request, ps_id, refusal=answer, status=answer.status)
    return RedirectResponse(f"/my/acceptance?done=uploaded#doc-{kind}", status_code=303)


@router.post("/my/acceptance/submit", response_class=HTMLResponse)
async def submit(request: Request) -> Response:
    principal = _enterprise(request)
    if principal is None or principal.enterprise_id is None:
        return _elsewhere(request, "/acceptance")
    ps_id = principal.enterprise_id
    answer = await registry_write(request, "POST", f"/api/registry/enterprises/{ps_id}/acceptance/application/submit")
    if isinstance(answer, Refusal):
        return await _page(request, ps_id, refusal=answer, status=answer.status)
    return RedirectResponse("/my/acceptance?done=submitted", status_code=303)


@router.get("/my/acceptance/documents/{document_id}")
async def my_document(request: Request, document_id: uuid.UUID) -> Response:
    return await download(request, document_id)


# ---- 一企一档 (the enterprise dossier) ----

#: Per section, its plain fields: name → (label, input type). Lists (the survey's outlets and relations) are
#: written one line each, parts separated by "|" (see `_lines_of`).
DOSSIER_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "survey": {
        "products": ("主要产品及产能", "textarea"),
        "process_flow": ("生产工艺流程", "textarea"),
        "emission_outlets": ("排放口（每行一个：编号|名称|主要污染物）", "lines"),
        "relations": ("生产设施-治污设施-排放口对应关系（每行一条：生产设施|治污设施|排放口）", "lines"),
        "surveyed_on": ("调查日期", "date"),
        "surveyed_by": ("调查人员", "text"),
    },
    "point_design": {
        "design_summary": ("点位设计说明", "textarea"),
        "designed_by": ("设计单位", "text"),
        "designed_on": ("设计日期", "date"),
    },
    "installation": {
        "installed_on": ("安装日期", "date"),
        "installer": ("安装单位", "text"),
        "devices": ("安装设备", "textarea"),
        "notes": ("备注", "textarea"),
    },
    "alarm_plans": {
        "plan_summary": ("报警处置流程", "textarea"),
        "responsible_person": ("报警处置责任人", "text"),
        "responsible_phone": ("责任人电话", "tel"),
    },
}
LINE_PARTS: dict[str, tuple[str, ...]] = {
    "emission_outlets": ("code", "name", "pollutants"),
    "relations": ("production_facility", "treatment_facility", "outlet"),
}


def _lines_of(name: str, text: str) -> list[dict[str, str | None]]:
    """'DA001|喷雾干燥塔排气筒|颗粒物' per line → [{code, name, pollutants}] (missing parts empty/None)."""
    keys = LINE_PARTS[name]
    rows: list[dict[str, str | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        row: dict[str, str | None] = {key: (parts[i] if i < len(parts) else "") for i, key in enumerate(keys)}
        if name == "emission_outlets" and not row["pollutants"]:
            row["pollutants"] = None
        rows.append(row)
    return rows


def lines_text(name: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """The inverse of `_lines_of`, to show saved rows in the textarea."""
    return "\n".join("|".join(str(row.get(key) or "") for key in LINE_PARTS[name]) for row in rows)


def section_payload(section: str, values: Mapping[str, str]) -> dict[str, Any]:
    """One posted dossier section → the registry's JSON (blank → null, list fields parsed line by line)."""
    payload: dict[str, Any] = {}
    for name, (_label, kind) in DOSSIER_FIELDS[section].items():
        value = (values.get(name) or "").strip()
        if kind == "lines":
            payload[name] = _lines_of(name, value)
        else:
            payload[name] = value or None
    return payload


def _section_values(section: Mapping[str, Any]) -> dict[str, str]:
    fields = section.get("fields") or {}
    values = {}
    for name, (_label, kind) in DOSSIER_FIELDS.get(str(section["section"]), {}).items():
        value = fields.get(name)
        if kind == "lines":
            values[name] = lines_text(name, value or [])
        else:
            values[name] = "" if value is None else str(value)
    return values


def dossier_base(ps_id: str, *, own: bool) -> str:
    """Where a dossier's page lives: the enterprise's own under /my, staff's under the acceptance area."""
    return "/my/dossier" if own else f"/acceptance/enterprises/{ps_id}/dossier"


async def _dossier_page(
    request: Request,
    ps_id: str,
    *,
    own: bool,
    posted: tuple[str, Mapping[str, str]] | None = None,
    refusal: Refusal | None = None,
    refused_section: str | None = None,
    flash: str | None = None,
    status: int = 200,
) -> Response:
    dossier = await api_get(request, f"/api/registry/enterprises/{ps_id}/dossier")
    values = {str(s["section"]): _section_values(s) for s in dossier["sections"]}
    if posted is not None:
        values[posted[0]] = dict(posted[1])
    context = {
        "dossier": dossier,
        "ps_id": ps_id,
        "own": own,
        "base": dossier_base(ps_id, own=own),
        "documents_base": "/my/acceptance/documents" if own else "/acceptance/documents",
        "fields": DOSSIER_FIELDS,
        "values": values,
        "refusal": refusal,
        "refused_section": refused_section,
        "flash": flash,
    }
    return render(request, "application/dossier.html", context, status=status)


DOSSIER_FLASHES = {"saved": "已保存。", "uploaded": "文件已上传。"}


def _dossier_owner(request: Request, ps_id: str | None) -> tuple[str, bool] | None:
    """(psId, own) for the dossier asked for: an enterprise only its own (/my/dossier), staff any in scope."""
    principal = current_principal(request)
    if principal is None:
        raise SignedOut
    if principal.role is Role.ENTERPRISE:
        return (principal.enterprise_id, True) if ps_id is None and principal.enterprise_id else None
    return None if ps_id is None else (ps_id, False)


async def dossier_view(request: Request, ps_id: str | None, done: str | None) -> Response:
    owner = _dossier_owner(request, ps_id)
    if owner is None:
        return _elsewhere(request, "/enterprises")
    return await _dossier_page(request, owner[0], own=owner[1], flash=DOSSIER_FLASHES.get(done or ""))


async def dossier_save(request: Request, ps_id: str | None, section: str) -> Response:
    owner = _dossier_owner(request, ps_id)
    if owner is None:
        return _elsewhere(request, "/enterprises")
    if section not in DOSSIER_FIELDS:
        raise NotVisible
    target, own = owner
    posted = await request.form()
    values = {name: str(posted.get(name) or "") for name in DOSSIER_FIELDS[section]}
    answer = await registry_write(
        request, "PUT", f"/api/registry/enterprises/{target}/dossier/{section}", json=section_payload(section, values)
    )
    if isinstance(answer, Refusal):
        return await _dossier_page(
            request,
            target,
            own=own,
            posted=(section, values),
            refusal=answer,
            refused_section=section,
            status=answer.status,
        )
    return RedirectResponse(f"{dossier_base(target, own=own)}?done=saved#dossier-{section}", status_code=303)


async def dossier_upload(
    request: Request, ps_id: str | None, section: str, kind: str, file: UploadFile | None
) -> Response:
    owner = _dossier_owner(request, ps_id)
    if owner is None:
        return _elsewhere(request, "/enterprises")
    if section not in DOSSIER_FIELDS:
        raise NotVisible
    target, own = owner
    if file is None or not file.filename:
        refusal = Refusal(422, "请选择要上传的文件")
        return await _dossier_page(request, target, own=own, refusal=refusal, refused_section=section, status=422)
    part = (file.filename, await file.read(), file.content_type or "application/octet-stream")
    answer = await registry_write(
        request,
        "POST",
        f"/api/registry/enterprises/{target}/dossier/{section}/documents",
        data={"kind": kind} if kind else None,
        files={"file": part},
    )
    if isinstance(answer, Refusal):
        return await _dossier_page(
            request, target, own=own, refusal=answer, refused_section=section, status=answer.status
        )
    return RedirectResponse(f"{dossier_base(target, own=own)}?done=uploaded#dossier-{section}", status_code=303)


@router.get("/my/dossier", response_class=HTMLResponse)
async def my_dossier(request: Request, done: str | None = None) -> Response:
    """一企一档: survey record, point design, installation record, alarm plans, each with its files."""
    return await dossier_view(request, None, done)


@router.post("/my/dossier/{section}", response_class=HTMLResponse)
async def save_my_section(request: Request, section: str) -> Response:
    return await dossier_save(request, None, section)


@router.post("/my/dossier/{section}/documents", response_class=HTMLResponse)
async def upload_my_section_file(
    request: Request,
    section: str,
    kind: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    return await dossier_upload(request, None, section, kind, file)
