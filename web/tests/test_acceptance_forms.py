"""The acceptance pages' shaping (no platform needed): the enterprise's form and documents, the registry's
refusals shown per field, the county's audit form, the transmission rate from ingest's rates."""

from __future__ import annotations

from fbjd_web.pages.acceptance import audit_payload, enterprise_rate, item_errors, site_payload
from fbjd_web.pages.application import (
    FORM_FIELDS,
    document_rows,
    form_payload,
    lines_text,
    refusal_of,
    section_payload,
)

CODES = ("basic_info", "points_complete", "correspondence")


def test_blank_required_fields_are_left_out_so_the_registry_names_each_one() -> None:
    payload = form_payload({"builder_name": " 沧州智联电气 ", "devices_count": "2", "remarks": ""})
    assert payload == {"builder_name": "沧州智联电气", "devices_count": 2, "remarks": None}


def test_a_count_that_is_not_a_number_goes_as_typed_for_the_registry_to_refuse() -> None:
    assert form_payload({"devices_count": "两台"})["devices_count"] == "两台"


def test_the_form_carries_every_field_of_the_application() -> None:
    assert set(FORM_FIELDS) == {
        "builder_name", "builder_contact", "builder_phone", "installed_on", "networked_on", "devices_count",
        "permit_production_facilities", "permit_treatment_facilities", "applicant_name", "applicant_phone",
        "applied_on", "remarks",
    }  # fmt: skip


def test_the_registrys_422_becomes_one_message_per_field() -> None:
    body = {
        "error": {
            "code": "validation_failed",
            "message": "提交的数据有 3 处错误",
            "problems": [
                {"field": "builder_phone", "label": "建设厂商联系电话", "message": "须为11位手机号"},
                {"field": "applied_on", "label": "申请日期", "message": "必填项，不能为空"},
                {"field": "applied_on", "label": "申请日期", "message": "晚于今天"},
            ],
        }
    }
    refusal = refusal_of(422, body)
    assert refusal.message == "提交的数据有 3 处错误"
    assert refusal.problems == {"builder_phone": "须为11位手机号", "applied_on": "必填项，不能为空；晚于今天"}
    assert refusal.labelled[0] == "建设厂商联系电话：须为11位手机号"


def test_a_refusal_without_the_registrys_shape_keeps_its_text() -> None:
    assert refusal_of(409, {"detail": "企业须先联网"}).message == "企业须先联网"
    assert refusal_of(502, "bad gateway").message == "bad gateway" and refusal_of(502, "").problems == {}


def test_documents_are_listed_by_required_kind_newest_first() -> None:
    required = [
        {"kind": "permit_copy", "label": "排污许可证副本", "present": True},
        {"kind": "eia_extract", "label": "环评文件摘录", "present": False},
    ]
    documents = [
        {
            "kind": "permit_copy",
            "kind_label": "排污许可证副本",
            "filename": "旧.pdf",
            "uploaded_at": "2026-11-01T00:00:00Z",
        },
        {
            "kind": "permit_copy",
            "kind_label": "排污许可证副本",
            "filename": "新.pdf",
            "uploaded_at": "2026-11-20T00:00:00Z",
        },
        {
            "kind": "site_photo",
            "kind_label": "现场核查照片",
            "filename": "现场.jpg",
            "uploaded_at": "2026-11-21T00:00:00Z",
        },
    ]
    rows = document_rows(required, documents)
    assert [(r.kind, r.present) for r in rows] == [("permit_copy", True), ("eia_extract", False), ("site_photo", True)]
    assert [f["filename"] for f in rows[0].files] == ["新.pdf", "旧.pdf"] and rows[1].files == []


def test_the_enterprises_rate_counts_each_terminal_at_most_what_was_expected_of_it() -> None:
    items = [
        {"ps_id": "a" * 32, "received": 900, "expected": 1000},
        {"ps_id": "a" * 32, "received": 1200, "expected": 1000},  # resends counted once: at most 100 %
        {"ps_id": "b" * 32, "received": 0, "expected": 1000},  # another enterprise's terminal
    ]
    assert enterprise_rate(items, "a" * 32) == 95.0
    assert enterprise_rate(items, "c" * 32) is None
    assert enterprise_rate([{"ps_id": "a" * 32, "received": 0, "expected": 0}], "a" * 32) is None


def test_the_audit_form_sends_each_decided_item_with_its_opinion() -> None:
    values = {
        "passed-basic_info": "yes",
        "passed-points_complete": "no",
        "opinion-points_complete": " 缺磨抛机5测点 ",
        "opinion": "点位不全，限期整改",
        "transmission_rate": "96.5",
        "rectification_deadline": "2026-12-31",
    }
    payload = audit_payload(CODES, values)
    assert payload["items"] == [
        {"code": "basic_info", "passed": True, "opinion": None},
        {"code": "points_complete", "passed": False, "opinion": "缺磨抛机5测点"},
    ]  # correspondence undecided: left out, the registry names it
    assert payload["transmission_rate"] == 96.5 and payload["rectification_deadline"] == "2026-12-31"
    assert audit_payload(CODES, {"transmission_rate": "九十"})["transmission_rate"] == "九十"
    assert audit_payload(CODES, {})["rectification_deadline"] is None


def test_item_problems_are_shown_beside_the_item_they_were_sent_as() -> None:
    problems = {"items.1.opinion": "第 2 项不通过，须写明审核意见", "items": "须逐项确认全部12项", "opinion": "必填"}
    assert item_errors(problems, ["basic_info", "points_complete"]) == {
        "points_complete": "第 2 项不通过，须写明审核意见"
    }


def test_the_site_audit_reads_people_separated_by_any_chinese_or_latin_separator() -> None:
    payload = site_payload(
        {"audited_on": "2026-11-24", "people": "王执法、刘技术, 张三", "findings": "标签一致", "site_passed": "yes"}
    )
    assert payload == {
        "audited_on": "2026-11-24",
        "people": ["王执法", "刘技术", "张三"],
        "findings": "标签一致",
        "rectification_deadline": None,
        "passed": True,
    }
    assert "passed" not in site_payload({"people": ""}) and site_payload({"people": ""})["people"] == []


def test_dossier_lists_are_written_one_line_each_and_read_back_the_same() -> None:
    text = "DA001|喷雾干燥塔排气筒|颗粒物、SO2\n\nDA002|烧成窑排气筒"
    payload = section_payload("survey", {"emission_outlets": text, "products": "", "surveyed_by": "李工"})
    assert payload["emission_outlets"] == [
        {"code": "DA001", "name": "喷雾干燥塔排气筒", "pollutants": "颗粒物、SO2"},
        {"code": "DA002", "name": "烧成窑排气筒", "pollutants": None},
    ]
    assert payload["products"] is None and payload["surveyed_by"] == "李工" and payload["relations"] == []
    assert (
        lines_text("emission_outlets", payload["emission_outlets"])
        == "DA001|喷雾干燥塔排气筒|颗粒物、SO2\nDA002|烧成窑排气筒|"
    )
