"""A record's fields as the province receives them (附件3 异常信息接入方案), for the record page.

The bridge builds the pushed item; this shows the same fields from the workflow's copy of the record, in the
interface's formats: CST wall clock `YYYY-MM-DD hh:mm:ss`, exDay = the CST date of exTimeEnd, thresholds in kW
as plain numbers, treatmentAmmeterIds comma-joined with the reported point among them. Treatment abnormals go
to /pcom/ps/ex/join/abnormal; stop / limit / off-peak records to /pcom/ps/ex/join/limit with fewer fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fbjd_core.time import to_cst

from fbjd_web.evidence import parse_time

__all__ = ["FIELD_LABELS", "endpoint_of", "kw_text", "province_fields", "province_time"]

FIELD_LABELS: dict[str, str] = {
    "psId": "企业编号",
    "exDay": "异常日期",
    "productorEquipId": "生产设施编号",
    "treatmentId": "治理设施编号",
    "treatmentAmmeterId": "治理设施测点编号",
    "treatmentAmmeterIds": "治理设施主备测点",
    "exTimeStart": "异常开始时间",
    "exTimeEnd": "异常结束时间",
    "productorEquipThreshold": "生产设施阈值(kW)",
    "treatmentAmmeterThreshold": "治理设施阈值(kW)",
    "treatmentAmmeterThresholdTime": "判定时长(分钟)",
    "remark": "备注",
}


def province_time(value: str | Any) -> str:
    return to_cst(parse_time(value)).strftime("%Y-%m-%d %H:%M:%S")


def kw_text(value: float | None) -> str:
    """12.5 → "12.5", 10.0 → "10" (at most three decimals, as the interface's example sends them)."""
    if value is None:
        return "—"
    text = format(Decimal(repr(float(value))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def _ammeter_ids(record: Mapping[str, Any]) -> str:
    main = record.get("treatment_point_id")
    ids = [p for p in record.get("treatment_point_ids") or [] if p]
    if main and main not in ids:
        ids.insert(0, main)
    return ",".join(dict.fromkeys(ids)) or "—"


def province_fields(record: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, Chinese label, value) in the interface's order, for the endpoint the record goes to."""
    end = province_time(record["end"])
    common = {
        "psId": str(record.get("ps_id", "")),
        "exDay": end[:10],
        "productorEquipId": str(record.get("production_facility_id", "")),
        "exTimeStart": province_time(record["start"]),
        "exTimeEnd": end,
        "remark": " ".join(str(record.get("remark") or "").split()) or "—",
    }
    if record.get("type") == "treatment_abnormal":
        values = {
            **common,
            "treatmentId": str(record.get("treatment_facility_id") or "—"),
            "treatmentAmmeterId": str(record.get("treatment_point_id") or "—"),
            "treatmentAmmeterIds": _ammeter_ids(record),
            "productorEquipThreshold": kw_text(record.get("production_threshold_kw")),
            "treatmentAmmeterThreshold": kw_text(record.get("treatment_threshold_kw")),
            "treatmentAmmeterThresholdTime": str(record.get("judgement_minutes", "—")),
        }
        order = list(FIELD_LABELS)
    else:
        values = common
        order = ["psId", "exDay", "productorEquipId", "exTimeStart", "exTimeEnd", "remark"]
    return [(field, FIELD_LABELS[field], values[field]) for field in order]


def endpoint_of(record_type: str) -> str:
    return "/pcom/ps/ex/join/abnormal" if record_type == "treatment_abnormal" else "/pcom/ps/ex/join/limit"
