"""The acceptance process on the web, on the platform `fbjd run` starts: the enterprise fills 分表计电验收申请基础信息表
(every problem shown beside its field), uploads each required document and submits; the county confirms the
twelve items of 分表计电平台审核表 and records the site audit; the city files it (备案) and the enterprise is
accepted.

The demo's ceramics works was accepted before the platform existed (its lifecycle is already 已验收, and the
lifecycle only moves forward), so it cannot apply again, and its county has no networked enterprise. The process
is therefore walked for a networked demo enterprise, by an enterprise account and a county account the admin
makes for it the way the demo makes its own (initial password, changed at the first sign-in); the demo
`enterprise` account shows its own application page and the per-field errors.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.time import CST

from .conftest import Platform, web_login

CERAMICS = "沧州市华信陶瓷有限公司"
REQUIRED_KINDS = (
    "permit_copy",
    "eia_extract",
    "control_measures",
    "point_table",
    "design_plan",
    "device_test_report",
    "calibration_certificate",
)
AUDIT_CODES = (
    "basic_info",
    "points_complete",
    "correspondence",
    "names_clear",
    "thresholds_provided",
    "thresholds_plausible",
    "power_alarm",
    "transmission_rate",
    "data_quality",
    "labels_on_site",
    "documents_complete",
    "control_measures",
)


def a_pdf(text: str) -> bytes:
    """A minimal valid one-page PDF (catalogue, pages, page, content stream, exact xref offsets)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def ps_id_of(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()  # noqa: S324 - the demo's identifier, not a secret


@dataclass(frozen=True)
class Applicant:
    enterprise: dict[str, Any]
    enterprise_user: str
    county_user: str


def _account(admin: httpx.Client, password: str, role: str, **scope: str) -> str:
    """An account as the admin makes it, its initial password changed at the first sign-in (as the demo does)."""
    username = f"acc-{role}-{secrets.token_hex(3)}"
    initial = f"Initial-{secrets.token_urlsafe(9)}-1a"
    made = admin.post("/api/auth/accounts", json={"username": username, "password": initial, "role": role, **scope})
    assert made.status_code == 201, made.text
    token = admin.post("/api/auth/token", data={"username": username, "password": initial}).json()["access_token"]
    changed = admin.post(
        "/api/auth/password",
        json={"old_password": initial, "new_password": password},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 204, changed.text
    return username


@pytest.fixture(scope="module")
def applicant(platform: Platform) -> Iterator[Applicant]:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    with httpx.Client(base_url=platform.base_url, headers=headers, timeout=30) as admin:
        ceramics = admin.get(f"/api/registry/enterprises/{ps_id_of(CERAMICS)}").json()
        assert ceramics["stage"] == "accepted", "the demo's ceramics works is accepted already (see the docstring)"
        networked = admin.get("/api/registry/enterprises", params={"stage": "networked"}).json()
        assert networked, "the demo city has networked enterprises waiting for acceptance"
        enterprise = sorted(networked, key=lambda e: e["name"])[0]
        county = _account(admin, platform.admin_password, "county", county=enterprise["county_code"])
        user = _account(admin, platform.admin_password, "enterprise", enterprise_id=enterprise["ps_id"])
        yield Applicant(enterprise, user, county)


@pytest.fixture
def browsers(platform: Platform) -> Iterator[dict[str, httpx.Client]]:
    """Browsers signed in on the web, one per account (the accounts all have the admin's password)."""
    opened: dict[str, httpx.Client] = {}

    class SignedIn(dict[str, httpx.Client]):
        def __missing__(self, username: str) -> httpx.Client:
            browser = httpx.Client(base_url=platform.base_url, follow_redirects=True, timeout=60)
            opened[username] = self[username] = browser
            assert web_login(browser, username, platform.admin_password).status_code == 200
            return browser

    yield SignedIn()
    for browser in opened.values():
        browser.close()


def _csrf(browser: httpx.Client, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": browser.cookies["fbjd_csrf"], **fields}


def _state(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]+)<', page)
    assert found, f"#{element_id} not on the page"
    return found.group(1)


def _today() -> str:
    return datetime.now(CST).date().isoformat()


def test_the_demo_enterprise_sees_its_own_application_and_every_problem_beside_its_field(
    browsers: dict[str, httpx.Client],
) -> None:
    enterprise = browsers["enterprise"]
    page = enterprise.get("/my/acceptance")
    assert page.status_code == 200
    for text in ("分表计电验收申请基础信息表", CERAMICS, "排污许可证副本", "校准证书", "提交前检查"):
        assert text in page.text, text

    bad = enterprise.post(
        "/my/acceptance/form",
        data=_csrf(enterprise, builder_name="沧州智联电气", builder_phone="12345", devices_count="两台"),
    )
    assert bad.status_code == 422
    assert re.search(r'id="e-builder_phone">[^<]*手机号', bad.text), "the phone's problem beside the phone"
    assert re.search(r'id="e-devices_count">[^<]*整数', bad.text), "the count's problem beside the count"
    assert re.search(r'id="e-applied_on">[^<]*必填', bad.text), "a blank 必填 field named"
    assert 'value="沧州智联电气"' in bad.text, "what was typed stays in the form"
    assert "e-builder_name" not in bad.text
    again = enterprise.get("/my/acceptance")
    assert 'value="沧州智联电气"' not in again.text, "nothing was saved"


def test_apply_audit_and_file_an_acceptance_end_to_end(applicant: Applicant, browsers: dict[str, httpx.Client]) -> None:
    e = applicant.enterprise
    ps_id, enterprise = e["ps_id"], browsers[applicant.enterprise_user]

    # The enterprise fills the form …
    form = {
        "builder_name": "沧州智联电气设备有限公司",
        "builder_contact": "赵工程师",
        "builder_phone": "13931700001",
        "installed_on": e["install_date"],
        "networked_on": e["network_date"],
        "devices_count": "1",
        "permit_production_facilities": "1",
        "permit_treatment_facilities": "1",
        "applicant_name": "孙申请",
        "applicant_phone": "0317-2025555",
        "applied_on": _today(),
        "remarks": "",
    }
    saved = enterprise.post("/my/acceptance/form", data=_csrf(enterprise, **form))
    assert saved.status_code == 200 and "基础信息表已保存" in saved.text
    assert 'value="沧州智联电气设备有限公司"' in saved.text
    assert 'id="submit-application" disabled' in saved.text, "documents still missing"

    # … uploads a real PDF for each required kind (multipart, with the CSRF field) …
    pdfs = {kind: a_pdf(f"{kind} of {ps_id}") for kind in REQUIRED_KINDS}
    for kind, content in pdfs.items():
        uploaded = enterprise.post(
            "/my/acceptance/documents",
            data=_csrf(enterprise, kind=kind),
            files={"file": (f"{kind}.pdf", content, "application/pdf")},
        )
        assert uploaded.status_code == 200, uploaded.text[:400]
        assert f"{kind}.pdf" in uploaded.text
    page = uploaded.text
    assert "材料齐全，可以提交" in page
    document_id = re.search(r'href="/my/acceptance/documents/([0-9a-f-]{36})" download>permit_copy\.pdf', page)
    assert document_id, "the uploaded permit copy is listed with its download link"
    downloaded = enterprise.get(f"/my/acceptance/documents/{document_id.group(1)}")
    assert downloaded.status_code == 200 and downloaded.content == pdfs["permit_copy"]
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"].startswith("attachment")

    not_a_pdf = enterprise.post(
        "/my/acceptance/documents",
        data=_csrf(enterprise, kind="permit_copy"),
        files={"file": ("许可证.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert not_a_pdf.status_code == 415 and 'id="app-refusal"' in not_a_pdf.text

    # … and submits.
    submitted = enterprise.post("/my/acceptance/submit", data=_csrf(enterprise))
    assert submitted.status_code == 200 and "验收申请已提交" in submitted.text
    assert _state(submitted.text, "app-state-label") == "已提交"

    # The county sees it waiting, with the twelve items pre-filled and the terminals' transmission rate.
    county = browsers[applicant.county_user]
    overview = county.get("/acceptance")
    assert overview.status_code == 200 and 'hx-get="/acceptance/applications"' in overview.text
    waiting = county.get("/acceptance/applications", headers={"HX-Request": "true"})
    assert waiting.text.startswith('<section aria-labelledby="waiting-title" id="applications">'), "the list alone"
    assert f'id="waiting-{ps_id}"' in waiting.text and e["name"] in waiting.text and "待平台审核" in waiting.text
    audit_page = county.get(f"/acceptance/enterprises/{ps_id}")
    assert audit_page.status_code == 200
    assert _state(audit_page.text, "application-state") == "已提交"
    for code in AUDIT_CODES:
        assert f'id="item-{code}"' in audit_page.text, code
    assert "7 类申请材料均已上传" in audit_page.text, "item 11 decided by the data"
    assert re.search(r'id="transmission-rate">(\d+\.\d%|暂无数据)<', audit_page.text)
    assert f"/acceptance/documents/{document_id.group(1)}" in audit_page.text, "the application's documents"

    # A failed item without an opinion is refused beside that item; nothing is saved.
    refused = county.post(
        f"/acceptance/enterprises/{ps_id}/audit",
        data=_csrf(
            county,
            codes=list(AUDIT_CODES),
            opinion="资料基本齐全",
            transmission_rate="96.5",
            **{f"passed-{code}": ("no" if code == "labels_on_site" else "yes") for code in AUDIT_CODES},
        ),
    )
    assert refused.status_code == 422
    assert re.search(r'id="opinion-error-labels_on_site">[^<]*须写明审核意见', refused.text)
    assert re.search(r'id="audit-deadline-error">[^<]*整改期限', refused.text)

    # A failed item with its opinion and a deadline sends the application back to the enterprise …
    deadline = (datetime.now(CST).date() + timedelta(days=15)).isoformat()
    failed = county.post(
        f"/acceptance/enterprises/{ps_id}/audit",
        data=_csrf(
            county,
            codes=list(AUDIT_CODES),
            opinion="现场标签与平台不一致，限期整改",
            transmission_rate="96.5",
            rectification_deadline=deadline,
            **{f"passed-{code}": ("no" if code == "labels_on_site" else "yes") for code in AUDIT_CODES},
            **{"opinion-labels_on_site": "除尘风机标签缺少对应的治污设施名称"},
        ),
    )
    assert failed.status_code == 200 and _state(failed.text, "application-state") == "整改中"
    told = enterprise.get("/my/acceptance")
    assert _state(told.text, "app-state-label") == "整改中"
    assert _state(told.text, "rectification-deadline") == f"整改期限：{deadline}"
    assert "除尘风机标签缺少对应的治污设施名称" in told.text and "现场标签与平台不一致" in told.text
    # … which puts it right and submits again: a new round, audited afresh.
    resubmitted = enterprise.post("/my/acceptance/submit", data=_csrf(enterprise))
    assert _state(resubmitted.text, "app-state-label") == "已提交" and "第 2 次提交" in resubmitted.text

    confirmed = county.post(
        f"/acceptance/enterprises/{ps_id}/audit",
        data=_csrf(
            county,
            codes=list(AUDIT_CODES),
            opinion="平台审核12项均符合要求",
            transmission_rate="96.5",
            **{f"passed-{code}": "yes" for code in AUDIT_CODES},
        ),
    )
    assert confirmed.status_code == 200 and "平台审核已保存" in confirmed.text
    assert _state(confirmed.text, "application-state") == "审核中"
    assert 'id="site-audit-form"' in confirmed.text

    photo = county.post(
        f"/acceptance/enterprises/{ps_id}/site-photos",
        data=_csrf(county),
        files={"file": ("现场核查记录.pdf", a_pdf("site audit"), "application/pdf")},
    )
    assert photo.status_code == 200 and "现场核查记录.pdf" in photo.text
    site = county.post(
        f"/acceptance/enterprises/{ps_id}/site-audit",
        data=_csrf(
            county,
            audited_on=_today(),
            people="王执法、刘技术",
            findings="电能表安装位置、点位标签与平台一致，断电来电报警测试正常",
            site_passed="yes",
        ),
    )
    assert site.status_code == 200 and "现场核查已记录" in site.text
    assert _state(site.text, "application-state") == "验收通过"
    assert 'id="file-acceptance"' not in site.text, "filing is the city's"

    # The enterprise sees the county's opinion.
    mine = enterprise.get("/my/acceptance")
    assert _state(mine.text, "app-state-label") == "验收通过" and "平台审核12项均符合要求" in mine.text

    # The city files it; the enterprise is accepted.
    city = browsers["city"]
    before = city.get(f"/acceptance/enterprises/{ps_id}")
    assert 'id="file-acceptance"' in before.text
    filed = city.post(f"/acceptance/enterprises/{ps_id}/filing", data=_csrf(city, on=_today()))
    assert filed.status_code == 200 and "已备案" in filed.text
    assert _state(filed.text, "application-state") == "已备案" and 'id="filed"' in filed.text
    assert "建设进度：已验收" in filed.text

    report = city.get(f"/acceptance/enterprises/{ps_id}/report")
    assert report.status_code == 200
    assert "沧州市工业企业分表计电系统验收报告" in report.text and e["name"] in report.text
    assert _state(report.text, "report-state") == "已备案"
    assert "12/12 项通过" in report.text and "王执法、刘技术" in report.text

    mine = enterprise.get("/my/acceptance")
    assert _state(mine.text, "app-state-label") == "已备案" and "已验收" in mine.text
    assert f'id="waiting-{ps_id}"' not in county.get("/acceptance/applications").text, "no longer waiting"


def test_an_enterprise_cannot_open_another_enterprises_audit_or_documents(
    browsers: dict[str, httpx.Client], applicant: Applicant
) -> None:
    enterprise = browsers["enterprise"]
    other = applicant.enterprise["ps_id"]
    assert enterprise.get(f"/acceptance/enterprises/{other}").status_code == 404
    assert enterprise.get(f"/acceptance/enterprises/{other}/report").status_code == 404


def test_the_dossier_kept_by_the_enterprise_is_read_by_its_county(
    applicant: Applicant, browsers: dict[str, httpx.Client]
) -> None:
    ps_id, enterprise = applicant.enterprise["ps_id"], browsers[applicant.enterprise_user]
    page = enterprise.get("/my/dossier")
    assert page.status_code == 200
    for label in ("现场调查记录", "点位设计", "安装记录", "报警预案"):
        assert label in page.text, label

    saved = enterprise.post(
        "/my/dossier/survey",
        data=_csrf(
            enterprise,
            products="生物质发电 2×30MW",
            emission_outlets="DA001|锅炉排气筒|颗粒物、SO2、NOx",
            relations="生物质锅炉|布袋除尘器|DA001",
            surveyed_on=_today(),
            surveyed_by="李调查",
        ),
    )
    assert saved.status_code == 200 and "已保存" in saved.text
    assert "DA001|锅炉排气筒|颗粒物、SO2、NOx" in saved.text, "the outlet read back one line each"
    photo = enterprise.post(
        "/my/dossier/survey/documents",
        data=_csrf(enterprise, kind="meter_box_photo"),
        files={"file": ("电表箱.pdf", a_pdf("meter box"), "application/pdf")},
    )
    assert photo.status_code == 200 and "电表箱照片：" in photo.text and "电表箱.pdf" in photo.text

    bad = enterprise.post("/my/dossier/alarm_plans", data=_csrf(enterprise, responsible_phone="110"))
    assert bad.status_code == 422 and "责任人电话" in bad.text and 'value="110"' in bad.text

    county = browsers[applicant.county_user].get(f"/acceptance/enterprises/{ps_id}/dossier")
    assert county.status_code == 200
    assert "DA001|锅炉排气筒|颗粒物、SO2、NOx" in county.text and "电表箱.pdf" in county.text
    assert f'action="/acceptance/enterprises/{ps_id}/dossier/survey"' in county.text
    elsewhere = browsers["enterprise"].get(f"/acceptance/enterprises/{ps_id}/dossier")
    assert elsewhere.url.path == "/my", "another enterprise's dossier sends an enterprise user home"
    assert "DA001|锅炉排气筒" not in elsewhere.text
