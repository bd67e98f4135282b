"""The enterprise's acceptance application: 分表计电验收申请基础信息表 with every 必填 field enforced, its documents,
and submission, which lists whatever is still missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.auth import Role
from fbjd_registry.samples import APPLICATION_FORM as FORM
from fbjd_registry.samples import MINIMAL_PDF as PDF

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

KINDS = (
    "permit_copy",
    "eia_extract",
    "control_measures",
    "point_table",
    "design_plan",
    "device_test_report",
    "calibration_certificate",
)


async def _networked(build: Builder, **fields: Any) -> dict[str, Any]:
    enterprise = await build.enterprise(**fields)
    await build.networked(enterprise["ps_id"])
    return enterprise


async def _upload(client: httpx.AsyncClient, ps_id: str, kind: str, content: bytes = PDF) -> httpx.Response:
    files = {"file": (f"{kind}.pdf", content, "application/pdf")}
    return await client.post(f"/enterprises/{ps_id}/acceptance/documents", files=files, data={"kind": kind})


async def test_before_anything_is_saved_the_application_is_an_unsaved_draft_that_lists_what_it_lacks(
    api: ApiFactory, build: Builder
) -> None:
    enterprise = await build.enterprise()
    own = api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    reply = await own.get(f"/enterprises/{enterprise['ps_id']}/acceptance/application")
    assert reply.status_code == 200, reply.text
    application = reply.json()
    assert (application["state"], application["state_label"], application["saved"]) == ("draft", "草稿", False)
    assert application["enterprise"]["credit_code"] == enterprise["credit_code"]  # the form's first part, reused
    missing = [m["field"] for m in application["missing"]]
    assert missing == ["form", *(f"documents.{kind}" for kind in KINDS)]
    assert [d["present"] for d in application["required_documents"]] == [False] * 7


async def test_a_form_with_bad_and_missing_fields_reports_each_in_chinese_and_saves_nothing(
    api: ApiFactory, build: Builder
) -> None:
    enterprise = await build.enterprise()
    own = api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    path = f"/enterprises/{enterprise['ps_id']}/acceptance/application"
    bad = {k: v for k, v in FORM.items() if k not in {"builder_name", "applied_on"}}
    bad |= {"builder_phone": "12345", "devices_count": 0}
    reply = await own.post(path, json=bad)
    assert reply.status_code == 422
    problems = {p["field"]: (p["label"], p["message"]) for p in reply.json()["error"]["problems"]}
    assert problems["builder_name"] == ("建设厂商", "必填项，不能为空")
    assert problems["applied_on"] == ("申请日期", "必填项，不能为空")
    assert problems["builder_phone"][0] == "建设厂商联系电话" and "12345" in problems["builder_phone"][1]
    assert problems["devices_count"] == ("采集终端数量(台)", "须不小于 1")
    assert (await own.get(path)).json()["saved"] is False


async def test_dates_out_of_order_or_in_the_future_are_refused(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    own = api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    path = f"/enterprises/{enterprise['ps_id']}/acceptance/application"
    reply = await own.post(path, json=FORM | {"networked_on": "2026-03-01", "applied_on": "2099-01-01"})
    assert reply.status_code == 422
    problems = {p["field"]: p["message"] for p in reply.json()["error"]["problems"]}
    assert problems["networked_on"] == "2026-03-01 早于安装完成日期 2026-03-05"
    assert problems["applied_on"] == "2099-01-01 晚于今天，不能预先填写"


async def test_only_the_enterprise_itself_fills_in_its_application(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    path = f"/enterprises/{enterprise['ps_id']}/acceptance/application"
    other = await build.enterprise()
    assert (await api(Role.ENTERPRISE, enterprise_id=other["ps_id"]).post(path, json=FORM)).status_code == 404
    assert (await api(Role.COUNTY, county="130902").post(path, json=FORM)).status_code == 403
    assert (await api(Role.ENTERPRISE, enterprise_id=other["ps_id"]).get(path)).status_code == 404
    assert (await api(Role.COUNTY, county="130921").get(path)).status_code == 404  # 沧县 does not see 新华区
    assert (await api(Role.COUNTY, county="130902").get(path)).status_code == 200


async def test_submission_lists_every_missing_document_and_changes_nothing(api: ApiFactory, build: Builder) -> None:
    enterprise = await _networked(build)
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    assert (await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM)).status_code == 200
    for kind in KINDS[:5]:
        assert (await _upload(own, ps_id, kind)).status_code == 201
    reply = await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["message"] == "验收申请还缺少 2 项，不能提交：设备检测报告、校准证书"
    assert [p["field"] for p in error["problems"]] == [
        "documents.device_test_report",
        "documents.calibration_certificate",
    ]
    after = (await own.get(f"/enterprises/{ps_id}/acceptance/application")).json()
    assert (after["state"], after["round"]) == ("draft", 0)


async def test_the_permit_number_is_required_for_acceptance_though_optional_in_the_registry(
    api: ApiFactory, build: Builder
) -> None:
    enterprise = await _networked(build, permit_no=None)
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM)
    for kind in KINDS:
        await _upload(own, ps_id, kind)
    reply = await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")
    assert reply.status_code == 422
    (problem,) = reply.json()["error"]["problems"]
    assert (problem["field"], problem["label"]) == ("enterprise.permit_no", "排污许可证编号")


async def test_a_complete_application_of_a_networked_enterprise_is_submitted_and_then_frozen(
    city: httpx.AsyncClient, api: ApiFactory, build: Builder
) -> None:
    enterprise = await _networked(build)
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM)
    for kind in KINDS:
        assert (await _upload(own, ps_id, kind)).status_code == 201
    reply = await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")
    assert reply.status_code == 200, reply.text
    submitted = reply.json()
    assert (submitted["state"], submitted["round"], submitted["missing"]) == ("submitted", 1, [])
    assert (
        submitted["submitted_by"] == "enterprise:tester" and submitted["form"]["builder_name"] == "河北环测科技有限公司"
    )
    frozen = await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM | {"devices_count": 4})
    assert frozen.status_code == 409 and "已提交" in frozen.json()["error"]["message"]
    assert (await _upload(own, ps_id, "permit_copy")).status_code == 409
    steps = (await city.get(f"/enterprises/{ps_id}/changes", params={"entity": "acceptance_application"})).json()
    assert [s["new"]["state"] for s in reversed(steps)] == ["draft", "draft", "submitted"]


async def test_an_enterprise_not_yet_networked_cannot_submit(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    ps_id = enterprise["ps_id"]
    own = api(Role.ENTERPRISE, enterprise_id=ps_id)
    await own.post(f"/enterprises/{ps_id}/acceptance/application", json=FORM)
    for kind in KINDS:
        await _upload(own, ps_id, kind)
    reply = await own.post(f"/enterprises/{ps_id}/acceptance/application/submit")
    assert reply.status_code == 409
    assert reply.json()["error"]["message"] == "企业当前建设进度为「计划」，须先完成联网（已联网）才能申请验收"


async def test_an_unknown_document_kind_is_named_and_refused(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    own = api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    reply = await _upload(own, enterprise["ps_id"], "site_photo")
    assert reply.status_code == 422
    (problem,) = reply.json()["error"]["problems"]
    assert problem["label"] == "材料类型" and "permit_copy（排污许可证副本）" in problem["message"]


async def test_an_upload_without_a_file_or_a_kind_says_which_is_missing(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()
    own = api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    path = f"/enterprises/{enterprise['ps_id']}/acceptance/documents"
    no_file = await own.post(path, data={"kind": "permit_copy"})
    assert no_file.status_code == 422
    assert no_file.json()["error"]["problems"] == [
        {"field": "file", "label": "文件", "message": "请选择要上传的文件（表单字段 file）"}
    ]
    no_kind = await own.post(path, files={"file": ("许可证.pdf", PDF, "application/pdf")})
    (problem,) = no_kind.json()["error"]["problems"]
    assert (problem["label"], problem["message"].endswith("；未填写")) == ("材料类型", True)
