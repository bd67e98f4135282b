"""The payload mapping, field by field: ids, CST times, exDay across midnight, kW as numeric strings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fbjd_bridge.errors import PayloadError
from fbjd_bridge.province.payload import (
    ABNORMAL_FIELDS,
    LIMIT_FIELDS,
    PATHS,
    REMARK_MAX_CHARS,
    Endpoint,
    ex_day,
    kw_text,
    province_time,
    to_province,
)
from fbjd_bridge.records.schemas import AbnormalIn

PS_ID = "0123456789abcdef0123456789abcdef"


def record(**overrides: Any) -> AbnormalIn:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": PS_ID,
        "enterprise_name": "沧州市测试陶瓷有限公司",
        "county": "130902",
        "industry": "新型建材",
        "production_facility_id": "prod-1",
        "production_facility_name": "1#喷雾干燥塔",
        "treatment_facility_id": "treat-1",
        "treatment_facility_name": "布袋除尘器",
        "treatment_point_id": "tp-main",
        "treatment_point_ids": ["tp-main", "tp-standby"],
        # The interface's own example: 2019-10-21 23:15:00 → 2019-10-22 01:00:00 CST (UTC+8).
        "start": "2019-10-21T15:15:00Z",
        "end": "2019-10-21T17:00:00Z",
        "ongoing": False,
        "duration_minutes": 105,
        "grade": "serious",
        "production_threshold_kw": 10.0,
        "treatment_threshold_kw": 12.5,
        "judgement_minutes": 15,
        "limit_ratio": None,
        "remark": "生产设施运行期间治理设施未运行，持续105分钟，达到判定时长15分钟。",
        "status": "open",
    }
    body.update(overrides)
    return AbnormalIn.model_validate(body)


def test_the_interfaces_midnight_example_maps_field_by_field() -> None:
    endpoint, item = to_province(record())
    assert endpoint is Endpoint.ABNORMAL
    assert PATHS[endpoint] == "/pcom/ps/ex/join/abnormal"
    assert item == {
        "psId": PS_ID,
        "exDay": "2019-10-22",
        "productorEquipId": "prod-1",
        "treatmentId": "treat-1",
        "treatmentAmmeterId": "tp-main",
        "treatmentAmmeterIds": "tp-main,tp-standby",
        "exTimeStart": "2019-10-21 23:15:00",
        "exTimeEnd": "2019-10-22 01:00:00",
        "productorEquipThreshold": "10",
        "treatmentAmmeterThreshold": "12.5",
        "treatmentAmmeterThresholdTime": 15,
        "remark": "生产设施运行期间治理设施未运行，持续105分钟，达到判定时长15分钟。",
    }
    assert tuple(item) == ABNORMAL_FIELDS


@pytest.mark.parametrize(
    ("record_type", "path"),
    [
        ("stop_violation", "/pcom/ps/ex/join/limit"),
        ("limit_violation", "/pcom/ps/ex/join/limit"),
        ("offpeak_violation", "/pcom/ps/ex/join/limit"),
    ],
)
def test_control_violations_go_to_the_limit_endpoint_with_its_six_fields(record_type: str, path: str) -> None:
    endpoint, item = to_province(
        record(
            type=record_type,
            treatment_facility_id=None,
            treatment_point_id=None,
            treatment_point_ids=[],
            treatment_threshold_kw=None,
            limit_ratio=0.5,
            remark="红色预警期间应停产的1#喷雾干燥塔功率高于停产阈值，持续105分钟。",
        )
    )
    assert PATHS[endpoint] == path
    assert item == {
        "psId": PS_ID,
        "exDay": "2019-10-22",
        "productorEquipId": "prod-1",
        "exTimeStart": "2019-10-21 23:15:00",
        "exTimeEnd": "2019-10-22 01:00:00",
        "remark": "红色预警期间应停产的1#喷雾干燥塔功率高于停产阈值，持续105分钟。",
    }
    assert tuple(item) == LIMIT_FIELDS


@pytest.mark.parametrize(
    ("utc", "cst"),
    [
        (datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC), "2026-01-01 08:00:00"),
        (datetime(2026, 1, 1, 16, 0, 0, tzinfo=UTC), "2026-01-02 00:00:00"),  # CST midnight is 00, never 24
        (datetime(2026, 1, 1, 5, 7, 9, 999_999, tzinfo=UTC), "2026-01-01 13:07:09"),  # 24-hour, truncated
    ],
)
def test_times_are_china_standard_time_24_hour_with_one_space(utc: datetime, cst: str) -> None:
    assert province_time(utc) == cst


def test_ex_day_is_the_cst_date_of_the_end() -> None:
    assert ex_day(datetime(2019, 10, 21, 16, 0, tzinfo=UTC)) == "2019-10-22"  # 00:00 CST on the 22nd
    assert ex_day(datetime(2019, 10, 21, 15, 59, 59, tzinfo=UTC)) == "2019-10-21"
    # a record that starts on one CST day and ends on the same day keeps that day
    _, item = to_province(record(start="2019-10-21T01:00:00Z", end="2019-10-21T02:00:00Z"))
    assert item["exDay"] == "2019-10-21"


@pytest.mark.parametrize(
    ("kw", "text"),
    [(10.0, "10"), (12.5, "12.5"), (0.0, "0"), (0.25, "0.25"), (100, "100"), (1.23456, "1.235"), (1e-5, "0")],
)
def test_thresholds_are_numeric_strings_in_kw(kw: float, text: str) -> None:
    assert kw_text(kw, field="f") == text
    _, item = to_province(record(production_threshold_kw=kw, treatment_threshold_kw=kw))
    assert item["productorEquipThreshold"] == text and item["treatmentAmmeterThreshold"] == text
    assert isinstance(item["productorEquipThreshold"], str)


def test_a_non_finite_threshold_cannot_be_written() -> None:
    with pytest.raises(PayloadError, match="productorEquipThreshold"):
        to_province(record(production_threshold_kw=float("nan")))


def test_ammeter_ids_include_the_reported_point_once_comma_joined() -> None:
    _, item = to_province(record(treatment_point_ids=["tp-standby"]))
    assert item["treatmentAmmeterIds"] == "tp-main,tp-standby"
    _, item = to_province(record(treatment_point_ids=[]))
    assert item["treatmentAmmeterIds"] == "tp-main"
    _, item = to_province(record(treatment_point_ids=["tp-main", "tp-main", "tp-b"]))
    assert item["treatmentAmmeterIds"] == "tp-main,tp-b"
    with pytest.raises(PayloadError, match="逗号"):
        to_province(record(treatment_point_ids=["tp-main", "a,b"]))


@pytest.mark.parametrize(
    ("field", "value", "names"),
    [
        ("treatment_point_id", None, "treatmentAmmeterId"),
        ("treatment_facility_id", None, "treatmentId"),
        ("production_threshold_kw", None, "productorEquipThreshold"),
        ("treatment_threshold_kw", None, "treatmentAmmeterThreshold"),
    ],
)
def test_a_treatment_record_missing_what_the_interface_needs_is_refused(field: str, value: Any, names: str) -> None:
    with pytest.raises(PayloadError, match=names):
        to_province(record(**{field: value}))


def test_the_remark_is_the_judgement_basis_on_one_line_and_bounded() -> None:
    _, item = to_province(record(remark="  生产运行，\n治理未运行  "))
    assert item["remark"] == "生产运行， 治理未运行"
    _, item = to_province(record(remark="很" * 800))
    assert len(item["remark"]) == REMARK_MAX_CHARS and item["remark"].endswith("…")


def test_the_judgement_time_is_whole_minutes_as_an_integer() -> None:
    _, item = to_province(record(judgement_minutes=30))
    assert item["treatmentAmmeterThresholdTime"] == 30 and isinstance(item["treatmentAmmeterThresholdTime"], int)
