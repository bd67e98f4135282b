"""The enterprise dossier (一企一档): survey record, point design, installation record and alarm plans, each with
its fields and files, written within scope and logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.auth import Role
from fbjd_registry.samples import MINIMAL_PDF as PDF

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
SURVEY: dict[str, Any] = {
    "products": "抛光砖 1200万平方米/年",
    "process_flow": "原料球磨 → 喷雾干燥 → 压制成型 → 烧成 → 磨抛 → 包装",
    "emission_outlets": [
        {"code": "DA001", "name": "喷雾干燥塔排气筒", "pollutants": "颗粒物、二氧化硫、氮氧化物"},
        {"code": "DA002", "name": "烧成窑排气筒"},
    ],
    "relations": [
        {"production_facility": "喷雾干燥塔", "treatment_facility": "喷雾干燥塔布袋除尘器", "outlet": "DA001"},
        {"production_facility": "1#烧成窑", "treatment_facility": "脱硫塔", "outlet": "DA002"},
    ],
    "surveyed_on": "2026-02-20",
    "surveyed_by": "王执法、河北环测科技有限公司",
}


def _section(dossier: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in dossier["sections"] if s["section"] == name)


async def test_an_empty_dossier_shows_its_four_sections_with_their_kinds_of_file(
    api: ApiFactory, build: Builder
) -> None:
    enterprise = await build.enterprise()
    reply = await api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"]).get(
        f"/enterprises/{enterprise['ps_id']}/dossier"
    )
    assert reply.status_code == 200, reply.text
    dossier = reply.json()
    assert [(s["section"], s["label"]) for s in dossier["sections"]] == [
        ("survey", "现场调查记录"),
        ("point_design", "点位设计"),
        ("installation", "安装记录"),
        ("alarm_plans", "报警预案"),
    ]
    survey = _section(dossier, "survey")
    assert [k["label"] for k in survey["document_kinds"]] == ["现场调查记录", "工艺流程图", "电表箱照片"]
    assert survey["fields"]["relations"] == [] and survey["updated_by"] is None


async def test_the_survey_record_is_kept_with_its_relations_and_logged(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    county = api(Role.COUNTY, county="130902")
    reply = await county.put(f"/enterprises/{ps_id}/dossier/survey", json=SURVEY)
    assert reply.status_code == 200, reply.text
    survey = _section(reply.json(), "survey")
    assert survey["fields"]["relations"][1] == {
        "production_facility": "1#烧成窑",
        "treatment_facility": "脱硫塔",
        "outlet": "DA002",
    }
    assert survey["fields"]["emission_outlets"][1]["pollutants"] is None and survey["updated_by"] == "county:tester"
    read = (await api(Role.ENTERPRISE, enterprise_id=ps_id).get(f"/enterprises/{ps_id}/dossier")).json()
    assert _section(read, "survey")["fields"]["surveyed_on"] == "2026-02-20"
    log = (await api(Role.CITY).get(f"/enterprises/{ps_id}/changes", params={"entity": "dossier_section"})).json()
    assert [(c["action"], c["new"]["section"]) for c in log] == [("create", "survey")]


async def test_a_bad_section_reports_each_field_in_chinese_and_keeps_the_old_one(
    api: ApiFactory, build: Builder
) -> None:
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    plan = {"plan_summary": "收到报警30分钟内核查治污设施并在平台说明", "responsible_person": "李环保"}
    assert (await own.put(f"/enterprises/{ps_id}/dossier/alarm_plans", json=plan)).status_code == 200
    reply = await own.put(
        f"/enterprises/{ps_id}/dossier/alarm_plans", json=plan | {"responsible_phone": "110", "colour": "红"}
    )
    assert reply.status_code == 422
    problems = {p["field"]: (p["label"], p["message"]) for p in reply.json()["error"]["problems"]}
    assert problems["responsible_phone"][0] == "责任人电话" and "'110'" in problems["responsible_phone"][1]
    assert problems["colour"][1] == "不认识的字段，请删除"
    bad_relation = {"relations": [{"production_facility": "1#烧成窑", "treatment_facility": "脱硫塔"}]}
    reply = await own.put(f"/enterprises/{ps_id}/dossier/survey", json=bad_relation)
    assert [(p["field"], p["label"]) for p in reply.json()["error"]["problems"]] == [("relations.0.outlet", "排放口")]
    kept = _section((await own.get(f"/enterprises/{ps_id}/dossier")).json(), "alarm_plans")
    assert kept["fields"]["responsible_person"] == "李环保" and kept["fields"]["responsible_phone"] is None


async def test_meter_box_photos_are_kept_in_the_survey_section(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    path = f"/enterprises/{ps_id}/dossier/survey/documents"
    photo = await own.post(path, files={"file": ("1#电表箱.png", PNG, "image/png")}, data={"kind": "meter_box_photo"})
    assert photo.status_code == 201, photo.text
    record = await own.post(path, files={"file": ("调查记录.pdf", PDF, "application/pdf")})  # the section's first kind
    assert record.json()["kind"] == "survey_record"
    wrong = await own.post(path, files={"file": ("预案.pdf", PDF, "application/pdf")}, data={"kind": "alarm_plan"})
    assert (
        wrong.status_code == 422
        and "「现场调查记录」的文件类型须为以下之一" in wrong.json()["error"]["problems"][0]["message"]
    )
    dossier = (await own.get(f"/enterprises/{ps_id}/dossier")).json()
    kept = [(d["kind_label"], d["filename"]) for d in _section(dossier, "survey")["documents"]]
    assert sorted(kept) == [("现场调查记录", "调查记录.pdf"), ("电表箱照片", "1#电表箱.png")]
    assert _section(dossier, "alarm_plans")["documents"] == []
    served = await own.get(f"/documents/{photo.json()['id']}")
    assert served.content == PNG and served.headers["content-type"] == "image/png"


async def test_the_dossier_is_read_and_written_only_within_scope(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()  # 新华区
    ps_id = enterprise["ps_id"]
    other = await build.enterprise()
    outsiders: list[httpx.AsyncClient] = [
        api(Role.ENTERPRISE, enterprise_id=other["ps_id"]),
        api(Role.COUNTY, county="130921"),
    ]
    for client in outsiders:
        assert (await client.get(f"/enterprises/{ps_id}/dossier")).status_code == 404
        assert (await client.put(f"/enterprises/{ps_id}/dossier/point_design", json={})).status_code == 404
    design = {"design_summary": "每台生产设施、治污设施主要用电设备各设一个点位", "designed_by": "河北环测科技有限公司"}
    assert (await api(Role.SERVICE).put(f"/enterprises/{ps_id}/dossier/point_design", json=design)).status_code == 403
    assert (await api(Role.CITY).put(f"/enterprises/{ps_id}/dossier/point_design", json=design)).status_code == 200
    unknown = await api(Role.CITY).put(f"/enterprises/{ps_id}/dossier/maintenance", json={})
    assert unknown.status_code == 422
