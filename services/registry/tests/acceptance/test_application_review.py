"""The county's review of a submitted application: 分表计电平台审核表 pre-filled from the registry's data with its
evidence and confirmed item by item, rectification and resubmission, the site audit, the acceptance report
(沧州市工业企业分表计电系统验收报告) and the city's filing, which makes the enterprise accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.auth import Role
from fbjd_core.time import now, to_cst
from fbjd_registry.samples import APPLICATION_FORM as FORM
from fbjd_registry.samples import MINIMAL_PDF as PDF

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

XINHUA, CANGXIAN = "130902", "130921"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
KINDS = (
    "permit_copy",
    "eia_extract",
    "control_measures",
    "point_table",
    "design_plan",
    "device_test_report",
    "calibration_certificate",
)
CODES = [
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
]


def _in_days(days: int) -> str:
    return (to_cst(now()).date() + timedelta(days=days)).isoformat()


def _all_pass(**overrides: tuple[bool, str]) -> dict[str, Any]:
    items = []
    for code in CODES:
        passed, opinion = overrides.get(code, (True, ""))
        items.append({"code": code, "passed": passed, "opinion": opinion or None})
    return {"items": items, "opinion": "平台审核意见：资料齐全，点位与许可证一致", "transmission_rate": 98.6}


async def _works(city: httpx.AsyncClient, build: Builder, *, controlled: bool = True) -> dict[str, Any]:
    """A networked ceramics works whose registry passes every audit check: 1#烧成窑 → 脱硫塔, and a total line."""
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    await build.networked(ps_id)
    kiln = await build.facility(ps_id, "1#烧成窑")
    fgd = await build.facility(ps_id, "脱硫塔", "treatment")
    await build.point(ps_id, kiln, "1#烧成窑-助燃风机")
    await build.point(ps_id, fgd, "脱硫塔-循环泵")
    await build.point(ps_id, None, "厂区总进线-1#变压器")
    await build.link(ps_id, kiln, fgd)
    if controlled:
        plan = {"name": "红色预警一厂一策", "measures": [{"facility_id": kiln["id"], "action": "stop"}]}
        assert (await city.put(f"/enterprises/{ps_id}/control-plans/red", json=plan)).status_code == 200
    return enterprise


async def _submitted(own: httpx.AsyncClient, ps_id: str, form: dict[str, Any] = FORM) -> None:
    assert (await own.post(f"/enterprises/{ps_id}/acceptance/application", json=form)).status_code == 200
    for kind in KINDS:
        files = {"file": (f"{kind}.pdf", PDF, "application/pdf")}
        reply = await own.post(f"/enterprises/{ps_id}/acceptance/documents", files=files, data={"kind": kind})
        assert reply.status_code == 201, reply.text
    reply = await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")
    assert reply.status_code == 200, reply.text


def _by_code(audit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in audit["items"]}


async def test_the_audit_form_prefills_the_twelve_items_from_the_registry_with_their_evidence(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    await _submitted(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id)
    reply = await api(Role.COUNTY, county=XINHUA).get(
        f"/enterprises/{ps_id}/acceptance/audit", params={"transmission_rate": 97.5}
    )
    assert reply.status_code == 200, reply.text
    audit = reply.json()
    assert [i["code"] for i in audit["items"]] == CODES and [i["number"] for i in audit["items"]] == list(range(1, 13))
    assert (audit["state"], audit["round"], audit["confirmed"]) == ("submitted", 1, False)
    items = _by_code(audit)
    decided = {code: items[code]["suggested"] for code in CODES}
    assert decided == {
        **dict.fromkeys(CODES, True),
        "power_alarm": None,
        "data_quality": None,
        "labels_on_site": None,
    }
    assert {items[c]["basis"] for c in ("power_alarm", "data_quality", "labels_on_site")} == {"auditor"}
    assert items["transmission_rate"]["evidence"] == ["传入的月数据传输率 97.5%，达标"]
    assert "生产设施 1 台（套）、治污设施 1 台（套）" in items["points_complete"]["evidence"][0]
    assert items["control_measures"]["evidence"] == ["已登记管控方案：红色预警；涉及设施 1 台（套）"]
    assert all(item["passed"] is None for item in audit["items"])


async def test_a_registry_built_to_fail_shows_each_failure_with_its_evidence(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build, controlled=False)
    ps_id = enterprise["ps_id"]
    mill = await build.facility(ps_id, "1#球磨机", needs_treatment=False)
    await build.point(ps_id, mill, "电表1", rated_kw=75.0, threshold_kw=75.0)
    await build.point(ps_id, mill, "1#球磨机-主电机", rated_kw=90.0, threshold_kw=0.0)
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    form = FORM | {"permit_production_facilities": 3}
    assert (await own.post(f"/enterprises/{ps_id}/acceptance/application", json=form)).status_code == 200
    reply = await city.get(f"/enterprises/{ps_id}/acceptance/audit", params={"transmission_rate": 85})
    items = _by_code(reply.json())
    assert items["names_clear"]["suggested"] is False
    assert any("「电表1」只是编号或代码" in line for line in items["names_clear"]["evidence"])
    assert items["thresholds_plausible"]["suggested"] is False
    assert sorted(items["thresholds_plausible"]["evidence"]) == [
        "测点「1#球磨机-主电机」阈值为 0 kW：任何待机电流都会被判为运行",
        "测点「电表1」阈值 75 kW 不低于额定功率 75 kW：满负荷运行也会被判为停运",
    ]
    assert items["points_complete"]["suggested"] is False
    assert "排污许可证载明生产设施 3 台（套），平台只登记了 2 台（套）" in items["points_complete"]["evidence"]
    assert items["control_measures"]["evidence"] == ["未登记一厂一策管控方案（红色/橙色/黄色预警）"]
    assert items["documents_complete"]["suggested"] is False
    assert items["transmission_rate"]["evidence"] == ["传入的月数据传输率 85%，低于 90%，需维护"]
    assert (items["correspondence"]["suggested"], items["basic_info"]["suggested"]) == (True, True)


async def test_the_platform_audit_must_confirm_all_twelve_items_and_a_failure_needs_an_opinion_and_a_deadline(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    county = api(Role.COUNTY, county=XINHUA)
    path = f"/enterprises/{ps_id}/acceptance/audit"
    early = await county.put(path, json=_all_pass())
    assert early.status_code == 409 and "草稿" in early.json()["error"]["message"]
    await _submitted(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id)
    body = _all_pass(names_clear=(False, ""))
    body["items"] = [*body["items"][:-1], {"code": "label_colour", "passed": True}]
    reply = await county.put(path, json=body)
    assert reply.status_code == 422
    problems = {p["field"]: p["message"] for p in reply.json()["error"]["problems"]}
    assert problems["items.3.opinion"] == "第 4 项不通过，须写明审核意见"
    assert problems["items.11.code"].startswith("不认识的审核项 'label_colour'")
    assert problems["items"] == "须逐项确认全部12项，缺少：12.一厂一策管控措施与设施对应"
    assert problems["rectification_deadline"] == "有不通过的项目，须设定整改期限"
    assert (await county.get(path)).json()["confirmed"] is False


async def test_a_failed_item_sends_the_application_to_rectification_and_a_resubmission_starts_a_new_round(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    own, county = api(Role.ENTERPRISE, enterprise_id=ps_id), api(Role.COUNTY, county=XINHUA)
    await _submitted(own, ps_id)
    deadline = _in_days(30)
    body = _all_pass(labels_on_site=(False, "脱硫塔循环泵现场无标签")) | {"rectification_deadline": deadline}
    reply = await county.put(f"/enterprises/{ps_id}/acceptance/audit", json=body)
    assert reply.status_code == 200, reply.text
    audit = reply.json()
    assert (audit["state"], audit["rectification_deadline"], audit["passed_items"]) == ("rectification", deadline, 11)
    assert _by_code(audit)["labels_on_site"]["opinion"] == "脱硫塔循环泵现场无标签"
    report = (await own.get(f"/enterprises/{ps_id}/acceptance/report")).json()
    assert report["conclusion"]["text"] == f"验收不合格，须于 {deadline} 前完成整改后重新提交验收申请"
    assert report["platform_audit"]["failed_items"] == ["现场设备标签与平台一致"]
    fixed = await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM | {"remarks": "已补贴标签"})
    assert fixed.status_code == 200
    resubmitted = (await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")).json()
    assert (resubmitted["state"], resubmitted["round"]) == ("submitted", 2)
    fresh = (await county.get(f"/enterprises/{ps_id}/acceptance/audit")).json()
    assert (fresh["round"], fresh["confirmed"], fresh["rectification_deadline"]) == (2, False, None)


async def test_a_passed_platform_audit_and_site_audit_pass_the_application_and_the_city_files_it(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    own, county = api(Role.ENTERPRISE, enterprise_id=ps_id), api(Role.COUNTY, county=XINHUA)
    await _submitted(own, ps_id)
    site = {"audited_on": _in_days(0), "people": ["王执法", "刘技术"], "findings": "标签与平台一致", "passed": True}
    too_early = await county.put(f"/enterprises/{ps_id}/acceptance/site-audit", json=site)
    assert too_early.status_code == 409 and too_early.json()["error"]["message"] == "平台审核全部通过后才能记录现场核查"
    audited = (await county.put(f"/enterprises/{ps_id}/acceptance/audit", json=_all_pass())).json()
    assert (audited["state"], audited["passed_items"], audited["audited_by"]) == ("under_audit", 12, "county:tester")
    photo = await county.post(
        f"/enterprises/{ps_id}/acceptance/site-audit/photos", files={"file": ("电表箱.jpg", JPEG, "image/jpeg")}
    )
    assert photo.status_code == 201 and photo.json()["kind_label"] == "现场核查照片"
    passed = (await county.put(f"/enterprises/{ps_id}/acceptance/site-audit", json=site)).json()
    assert passed["state"] == "passed" and passed["site_audit"]["people"] == ["王执法", "刘技术"]
    assert [p["filename"] for p in passed["site_photos"]] == ["电表箱.jpg"]
    report = (await county.get(f"/enterprises/{ps_id}/acceptance/report")).json()
    assert report["title"] == "沧州市工业企业分表计电系统验收报告"
    counts = report["counts"]
    assert (counts["total"], counts["production"], counts["treatment"], counts["total_line"]) == (3, 1, 1, 1)
    assert counts["emergency_reduction"] == 1  # the kiln's point, under the red-alert plan
    assert report["conclusion"]["code"] == "passed" and report["filing"] is None
    assert (await county.post(f"/enterprises/{ps_id}/acceptance/filing", json={})).status_code == 403
    assert (await own.post(f"/enterprises/{ps_id}/acceptance/filing", json={})).status_code == 403
    filed = await city.post(f"/enterprises/{ps_id}/acceptance/filing", json={})
    assert filed.status_code == 200, filed.text
    today = _in_days(0)
    assert (filed.json()["state"], filed.json()["filing"]["acceptance_date"]) == ("filed", today)
    assert filed.json()["conclusion"]["text"] == f"验收合格，已于 {today} 报市生态环境局备案"
    signatures = {s["party"]: s["signer"] for s in filed.json()["signatures"]}
    assert signatures["现场核查人员"] == "王执法、刘技术" and signatures["沧州市生态环境局（备案）"] == "city:tester"
    accepted = (await city.get(f"/enterprises/{ps_id}")).json()
    assert (accepted["stage"], accepted["acceptance_date"]) == ("accepted", today)
    again = await city.post(f"/enterprises/{ps_id}/acceptance/filing", json={})
    assert again.status_code == 409


async def test_a_failed_site_audit_sends_the_application_to_rectification_with_its_deadline(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    county = api(Role.COUNTY, county=XINHUA)
    await _submitted(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id)
    await county.put(f"/enterprises/{ps_id}/acceptance/audit", json=_all_pass())
    site = {"audited_on": _in_days(0), "people": ["王执法"], "findings": "脱硫塔循环泵电表未接入", "passed": False}
    no_deadline = await county.put(f"/enterprises/{ps_id}/acceptance/site-audit", json=site)
    assert no_deadline.status_code == 422
    deadline = _in_days(15)
    failed = (
        await county.put(
            f"/enterprises/{ps_id}/acceptance/site-audit", json=site | {"rectification_deadline": deadline}
        )
    ).json()
    assert (failed["state"], failed["rectification_deadline"]) == ("rectification", deadline)
    assert (await city.post(f"/enterprises/{ps_id}/acceptance/filing", json={})).status_code == 409


async def test_only_the_enterprises_own_county_audits_it(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    await _submitted(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id)
    path = f"/enterprises/{ps_id}/acceptance/audit"
    assert (await api(Role.COUNTY, county=CANGXIAN).put(path, json=_all_pass())).status_code == 404
    assert (await api(Role.ENTERPRISE, enterprise_id=ps_id).put(path, json=_all_pass())).status_code == 403
    assert (await api(Role.ENTERPRISE, enterprise_id=ps_id).get(path)).status_code == 200


async def test_the_report_prints_as_a_self_contained_page(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _works(city, build)
    ps_id = enterprise["ps_id"]
    await _submitted(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id)
    page = await city.get(f"/enterprises/{ps_id}/acceptance/report.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<h1>沧州市工业企业分表计电系统验收报告</h1>" in page.text and enterprise["name"] in page.text
    assert "<script" not in page.text
