"""One abnormal record → one item of the province's push interface (附件3 异常信息接入方案). Pure: no I/O.

Two endpoints, JSON arrays of items:

* `/pcom/ps/ex/join/abnormal` — treatment abnormal (治理设施异常): psId, exDay, productorEquipId, treatmentId,
  treatmentAmmeterId, treatmentAmmeterIds, exTimeStart, exTimeEnd, productorEquipThreshold,
  treatmentAmmeterThreshold, treatmentAmmeterThresholdTime, remark;
* `/pcom/ps/ex/join/limit` — emergency / differentiated control abnormal (应急减排/差异化管控异常: stop, limit,
  off-peak violations): psId, exDay, productorEquipId, exTimeStart, exTimeEnd, remark.

Formats, decided here once:

* times are China Standard Time wall clock, `YYYY-MM-DD hh:mm:ss`, 24-hour, one space (the database keeps UTC);
* **exDay is the CST date of exTimeEnd.** The interface's own example reports an abnormal from
  2019-10-21 23:15:00 to 2019-10-22 01:00:00 with exDay 2019-10-22, so a record that crosses midnight is
  reported once, whole, on the day it ended — never split at midnight. While a record is still going on, its
  exDay is the day of its latest end and moves with it; the province merges by point and time, not by exDay;
* thresholds are kW as numeric strings, as the example sends them: at most three decimals, no trailing zeros,
  no exponent (`10.0` → `"10"`, `12.5` → `"12.5"`);
* treatmentAmmeterThresholdTime is the judgement time in whole minutes, a JSON integer;
* treatmentAmmeterIds are the main/standby points of the treatment node, comma-joined without spaces, the
  reported point among them;
* ids are the registry's, the same the province synced (GET /api/bridge/province/registry).

A record that continues is re-sent with the same exTimeStart and its new exTimeEnd; the province merges
consecutive reports of one treatment point into one record (see outbox/sender.py).
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from fbjd_core.time import to_cst

from fbjd_bridge.errors import PayloadError
from fbjd_bridge.records.schemas import AbnormalIn

__all__ = [
    "ABNORMAL_FIELDS",
    "ENDPOINT_OF_TYPE",
    "LIMIT_FIELDS",
    "PATHS",
    "REMARK_MAX_CHARS",
    "Endpoint",
    "endpoint_of",
    "ex_day",
    "kw_text",
    "province_time",
    "to_province",
]


class Endpoint(StrEnum):
    ABNORMAL = "abnormal"  # 治理设施异常
    LIMIT = "limit"  # 应急减排/差异化管控异常 (应停未停、限产未限、错峰未错)


PATHS: dict[Endpoint, str] = {
    Endpoint.ABNORMAL: "/pcom/ps/ex/join/abnormal",
    Endpoint.LIMIT: "/pcom/ps/ex/join/limit",
}

ENDPOINT_OF_TYPE: dict[str, Endpoint] = {
    "treatment_abnormal": Endpoint.ABNORMAL,
    "stop_violation": Endpoint.LIMIT,
    "limit_violation": Endpoint.LIMIT,
    "offpeak_violation": Endpoint.LIMIT,
}

ABNORMAL_FIELDS = (
    "psId",
    "exDay",
    "productorEquipId",
    "treatmentId",
    "treatmentAmmeterId",
    "treatmentAmmeterIds",
    "exTimeStart",
    "exTimeEnd",
    "productorEquipThreshold",
    "treatmentAmmeterThreshold",
    "treatmentAmmeterThresholdTime",
    "remark",
)
LIMIT_FIELDS = ("psId", "exDay", "productorEquipId", "exTimeStart", "exTimeEnd", "remark")

REMARK_MAX_CHARS = 500  # the remark is the judgement basis in a sentence or two; longer ones are cut with "…"
_KW_QUANTUM = Decimal("0.001")


def endpoint_of(record_type: str) -> Endpoint:
    try:
        return ENDPOINT_OF_TYPE[record_type]
    except KeyError:
        raise PayloadError(f"异常类型 {record_type!r} 没有对应的省平台接口") from None


def province_time(moment: datetime) -> str:
    """`YYYY-MM-DD hh:mm:ss` in China Standard Time (24-hour); seconds are truncated, never rounded up."""
    return to_cst(moment).strftime("%Y-%m-%d %H:%M:%S")


def ex_day(end: datetime) -> str:
    """The CST date of the record's end (the interface's example: 23:15 → 01:00 next day is that next day)."""
    return to_cst(end).strftime("%Y-%m-%d")


def kw_text(value: float, *, field: str) -> str:
    """A power in kW as the numeric string the province expects: `10.0` → "10", `0.25` → "0.25"."""
    if not math.isfinite(value):
        raise PayloadError(f"{field} 须为有限数值，现为 {value!r}")
    quantized = Decimal(repr(value)).quantize(_KW_QUANTUM, rounding=ROUND_HALF_UP)
    text = format(quantized.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def remark_text(remark: str) -> str:
    text = " ".join(remark.split())
    return text if len(text) <= REMARK_MAX_CHARS else text[: REMARK_MAX_CHARS - 1] + "…"


def _required(value: str | float | None, *, field: str, source: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PayloadError(f"治理设施异常记录缺少 {source}，无法填写省平台字段 {field}")
    return value


def _ammeter_ids(record: AbnormalIn, main: str) -> str:
    ids = [point for point in record.treatment_point_ids if point]
    if main not in ids:
        ids.insert(0, main)
    bad = [point for point in ids if "," in point or point != point.strip()]
    if bad:
        raise PayloadError(f"测点编号不能含逗号或首尾空格：{bad}")
    return ",".join(dict.fromkeys(ids))


def _common(record: AbnormalIn) -> dict[str, Any]:
    return {
        "psId": record.ps_id,
        "exDay": ex_day(record.end),
        "productorEquipId": record.production_facility_id,
        "exTimeStart": province_time(record.start),
        "exTimeEnd": province_time(record.end),
    }


def _abnormal_item(record: AbnormalIn) -> dict[str, Any]:
    common = _common(record)
    main = str(_required(record.treatment_point_id, field="treatmentAmmeterId", source="治理设施测点"))
    production_kw = _required(record.production_threshold_kw, field="productorEquipThreshold", source="生产阈值")
    treatment_kw = _required(record.treatment_threshold_kw, field="treatmentAmmeterThreshold", source="治理阈值")
    item = {
        "psId": common["psId"],
        "exDay": common["exDay"],
        "productorEquipId": common["productorEquipId"],
        "treatmentId": _required(record.treatment_facility_id, field="treatmentId", source="治理设施"),
        "treatmentAmmeterId": main,
        "treatmentAmmeterIds": _ammeter_ids(record, main),
        "exTimeStart": common["exTimeStart"],
        "exTimeEnd": common["exTimeEnd"],
        "productorEquipThreshold": kw_text(production_kw, field="productorEquipThreshold"),
        "treatmentAmmeterThreshold": kw_text(treatment_kw, field="treatmentAmmeterThreshold"),
        "treatmentAmmeterThresholdTime": record.judgement_minutes,
        "remark": remark_text(record.remark),
    }
    return item


def to_province(record: AbnormalIn) -> tuple[Endpoint, dict[str, Any]]:
    """The endpoint and the item for this version of the record; PayloadError when a field cannot be filled."""
    endpoint = endpoint_of(record.type)
    if endpoint is Endpoint.ABNORMAL:
        return endpoint, _abnormal_item(record)
    return endpoint, {**_common(record), "remark": remark_text(record.remark)}
