"""The record page's evidence chart and province fields, shaped from API answers (no platform needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fbjd_web.evidence import EvidencePoint, chart_window, control_bands, evidence_chart, evidence_points
from fbjd_web.province import kw_text, province_fields

START = datetime(2026, 11, 24, 1, 10, tzinfo=UTC)  # 09:10 CST
END = datetime(2026, 11, 24, 1, 40, tzinfo=UTC)  # 09:40 CST

ALARM = {
    "type": "treatment_abnormal",
    "start": "2026-11-24T01:10:00Z",
    "end": "2026-11-24T01:40:00Z",
    "ongoing": False,
    "county": "130921",
    "industry": "新型建材",
    "treatment_point_ids": ["pt-11"],
    "record": {"treatment_point_ids": ["pt-11"], "treatment_threshold_kw": 4.0},
}

RULES = {
    "evidence": {
        "points": [
            {"point_id": "pt-11", "name": "1#脱硫塔-循环泵", "role": "treatment", "threshold_kw": 4.0},
            {"point_id": "pt-01", "name": "1#烧成窑-风机", "role": "production", "threshold_kw": 12.5},
        ]
    }
}


def test_a_30_minute_abnormal_is_shown_with_30_minutes_either_side() -> None:
    begin, finish = chart_window(START, END, at=END + timedelta(days=1))
    assert (begin, finish) == (START - timedelta(minutes=30), END + timedelta(minutes=30))


def test_a_long_abnormal_gets_half_its_length_either_side_but_never_past_now() -> None:
    start, end = START, START + timedelta(hours=4)
    begin, finish = chart_window(start, end, at=end + timedelta(minutes=10))
    assert begin == start - timedelta(hours=2)
    assert finish == end + timedelta(minutes=10), "the window stops at now"


def test_the_chart_draws_production_first_both_thresholds_and_the_abnormal_band_in_cst() -> None:
    points = evidence_points(RULES, ALARM)
    samples = {
        "pt-01": [{"t": "2026-11-24T01:00:00Z", "kw": 30.0}, {"t": "2026-11-24T01:15:00Z", "kw": 31.25}],
        "pt-11": [{"t": "2026-11-24T01:00:00Z", "kw": 6.0}, {"t": "2026-11-24T01:15:00Z", "kw": None}],
    }
    chart = evidence_chart(ALARM, points, samples, window=(START, END))
    assert [s["kind"] for s in chart["series"]] == ["production", "treatment"]
    assert [s["threshold"] for s in chart["series"]] == [12.5, 4.0]
    assert chart["series"][0]["points"][0] == ["2026-11-24T09:00:00+08:00", 30.0]
    assert chart["series"][1]["points"][1] == ["2026-11-24T09:15:00+08:00", None], "a gap stays a gap"
    assert chart["bands"] == [
        {
            "from": "2026-11-24T09:10:00+08:00",
            "to": "2026-11-24T09:40:00+08:00",
            "label": "异常时段",
            "kind": "abnormal",
        }
    ]
    assert chart["unit"] == "kW"


def test_without_the_rules_answer_the_treatment_points_of_the_workflow_record_are_drawn() -> None:
    points = evidence_points(None, ALARM)
    assert points == [EvidencePoint("pt-11", "pt-11", "treatment", 4.0)]


PERIODS = [
    {
        "name": "沧州市重污染天气橙色预警",
        "starts_at": "2026-11-24T00:00:00Z",
        "ends_at": "2026-11-24T01:20:00Z",
        "counties": [],
        "industries": [],
        "issuer_county_code": None,
    },
    {
        "name": "另一县的管控",
        "starts_at": "2026-11-24T00:00:00Z",
        "ends_at": "2026-11-25T00:00:00Z",
        "counties": ["130922"],
        "industries": [],
        "issuer_county_code": None,
    },
    {
        "name": "昨日的管控",
        "starts_at": "2026-11-23T00:00:00Z",
        "ends_at": "2026-11-23T05:00:00Z",
        "counties": [],
        "industries": [],
        "issuer_county_code": None,
    },
]


def test_a_stop_violation_shows_the_control_period_of_its_county_clipped_to_the_window() -> None:
    window = (START - timedelta(minutes=30), END + timedelta(minutes=30))
    chart = evidence_chart({**ALARM, "type": "stop_violation"}, [], {}, periods=PERIODS, window=window)
    control = [b for b in chart["bands"] if b["kind"] == "control"]
    assert control == [
        {
            "from": "2026-11-24T08:40:00+08:00",
            "to": "2026-11-24T09:20:00+08:00",
            "label": "管控时段：沧州市重污染天气橙色预警",
            "kind": "control",
        }
    ]


def test_a_treatment_abnormal_draws_no_control_band() -> None:
    chart = evidence_chart(ALARM, [], {}, periods=PERIODS, window=(START, END))
    assert [b["kind"] for b in chart["bands"]] == ["abnormal"]


def test_control_bands_leave_out_other_industries() -> None:
    period = {**PERIODS[0], "industries": ["钢铁"]}
    assert control_bands([period], county="130921", industry="新型建材", window=(START, END)) == []


RECORD = {
    "type": "treatment_abnormal",
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "production_facility_id": "pf-01",
    "treatment_facility_id": "tf-01",
    "treatment_point_id": "pt-12",
    "treatment_point_ids": ["pt-11", "pt-12"],
    "start": "2026-11-24T15:15:00Z",  # 23:15 CST
    "end": "2026-11-24T17:00:00Z",  # 01:00 CST the next day
    "production_threshold_kw": 10.0,
    "treatment_threshold_kw": 0.25,
    "judgement_minutes": 15,
    "remark": "生产设施运行期间  脱硫塔停运",
}


def test_the_province_fields_of_a_treatment_abnormal_crossing_midnight_fall_on_the_day_it_ended() -> None:
    fields = {field: value for field, _label, value in province_fields(RECORD)}
    assert fields["exTimeStart"] == "2026-11-24 23:15:00"
    assert fields["exTimeEnd"] == "2026-11-25 01:00:00"
    assert fields["exDay"] == "2026-11-25"
    assert fields["treatmentAmmeterIds"] == "pt-11,pt-12"
    assert fields["productorEquipThreshold"] == "10" and fields["treatmentAmmeterThreshold"] == "0.25"
    assert fields["treatmentAmmeterThresholdTime"] == "15"
    assert fields["remark"] == "生产设施运行期间 脱硫塔停运"


def test_a_stop_violation_goes_with_the_six_fields_of_the_limit_interface() -> None:
    names = [field for field, _label, _value in province_fields({**RECORD, "type": "stop_violation"})]
    assert names == ["psId", "exDay", "productorEquipId", "exTimeStart", "exTimeEnd", "remark"]


def test_thresholds_are_plain_numbers_with_at_most_three_decimals() -> None:
    assert [kw_text(v) for v in (10.0, 12.5, 0.1234, 0.0, None)] == ["10", "12.5", "0.123", "0", "—"]
