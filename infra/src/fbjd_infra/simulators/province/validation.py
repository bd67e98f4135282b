"""The strict province's field checks (附件3 异常信息接入方案), one item at a time. Pure.

Every field is required, no other field is allowed, and each has one format; the first problem found is
answered as the province does, `{"success": false, "msg": "..."}`, the msg naming the item and the field
(第2条记录 exTimeEnd：…). A request is all or nothing: one bad item and none of the array is taken.
The field lists are re-declared here on purpose: the simulator checks the bridge, it must not share its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["ABNORMAL_FIELDS", "LIMIT_FIELDS", "MAX_ITEMS", "Problem", "Report", "validate"]

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
MAX_ITEMS = 500
REMARK_MAX = 500

_PS_ID = re.compile(r"^[0-9a-f]{32}$")
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_KW = re.compile(r"^(0|[1-9]\d{0,6})(\.\d{1,3})?$")


@dataclass(frozen=True, slots=True)
class Problem:
    index: int
    field: str | None
    message: str

    @property
    def msg(self) -> str:
        where = f"第{self.index + 1}条记录" if self.index >= 0 else "请求"
        return f"{where} {self.field}：{self.message}" if self.field else f"{where}：{self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """One valid item: the point it is about (treatment point, or production facility for limit) and its span."""

    ps_id: str
    point: str
    start: datetime
    end: datetime
    item: dict[str, Any]


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _text(item: dict[str, Any], field: str) -> str:
    value = item[field]
    if not isinstance(value, str):
        raise _Bad(field, f"须为字符串，现为 {type(value).__name__} {value!r}")
    return value


def _id(item: dict[str, Any], field: str) -> str:
    value = _text(item, field)
    if not _ID.match(value):
        raise _Bad(field, f"须为1-64位字母、数字、- 或 _，现为 {value!r}")
    return value


def _time(item: dict[str, Any], field: str) -> datetime:
    value = _text(item, field)
    if not _TIME.match(value):
        raise _Bad(field, f"格式须为 YYYY-MM-DD hh:mm:ss（24小时制），现为 {value!r}")
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise _Bad(field, f"不是有效的时间：{value!r}") from None


def _kw(item: dict[str, Any], field: str) -> None:
    value = item[field]
    if not isinstance(value, str):
        raise _Bad(field, f'须为数值字符串（千瓦，如 "12.5"），现为 {type(value).__name__} {value!r}')
    if not _KW.match(value):
        raise _Bad(field, f"须为非负数值字符串（千瓦，最多3位小数），现为 {value!r}")


def _common(item: dict[str, Any], fields: tuple[str, ...]) -> tuple[str, datetime, datetime]:
    missing = [f for f in fields if f not in item]
    if missing:
        raise _Bad(missing[0], "缺少该字段")
    extra = [f for f in item if f not in fields]
    if extra:
        raise _Bad(extra[0], "不是接口定义的字段")
    ps_id = _text(item, "psId")
    if not _PS_ID.match(ps_id):
        raise _Bad("psId", f"须为32位小写十六进制，现为 {ps_id!r}")
    _id(item, "productorEquipId")
    start, end = _time(item, "exTimeStart"), _time(item, "exTimeEnd")
    if start >= end:
        raise _Bad("exTimeEnd", f"须晚于 exTimeStart（{item['exTimeStart']}），现为 {item['exTimeEnd']}")
    day = _text(item, "exDay")
    if not _DAY.match(day):
        raise _Bad("exDay", f"格式须为 YYYY-MM-DD，现为 {day!r}")
    try:
        date.fromisoformat(day)
    except ValueError:
        raise _Bad("exDay", f"不是有效的日期：{day!r}") from None
    if day != item["exTimeEnd"][:10]:
        raise _Bad("exDay", f"须为异常结束时间 exTimeEnd 的日期 {item['exTimeEnd'][:10]}，现为 {day}")
    remark = _text(item, "remark")
    if not remark.strip() or len(remark) > REMARK_MAX:
        raise _Bad("remark", f"须为1-{REMARK_MAX}字的判定依据，现为 {len(remark.strip())} 字")
    return ps_id, start, end


def _abnormal(item: dict[str, Any]) -> Report:
    ps_id, start, end = _common(item, ABNORMAL_FIELDS)
    _id(item, "treatmentId")
    main = _id(item, "treatmentAmmeterId")
    group = _text(item, "treatmentAmmeterIds").split(",")
    if any(not _ID.match(point) for point in group) or len(set(group)) != len(group):
        raise _Bad(
            "treatmentAmmeterIds", f"须为逗号分隔、不重复、无空格的测点编号，现为 {item['treatmentAmmeterIds']!r}"
        )
    if main not in group:
        raise _Bad("treatmentAmmeterIds", f"须包含 treatmentAmmeterId {main}")
    _kw(item, "productorEquipThreshold")
    _kw(item, "treatmentAmmeterThreshold")
    minutes = item["treatmentAmmeterThresholdTime"]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 1440:
        raise _Bad("treatmentAmmeterThresholdTime", f"须为1-1440的整数（分钟），现为 {minutes!r}")
    return Report(ps_id, main, start, end, dict(item))


def _limit(item: dict[str, Any]) -> Report:
    ps_id, start, end = _common(item, LIMIT_FIELDS)
    return Report(ps_id, item["productorEquipId"], start, end, dict(item))


def validate(endpoint: str, body: Any) -> tuple[list[Report], Problem | None]:
    """The reports of a valid array, or the first problem (and nothing taken)."""
    if not isinstance(body, list):
        return [], Problem(-1, None, "请求体须为 JSON 数组")
    if not body:
        return [], Problem(-1, None, "请求体为空数组")
    if len(body) > MAX_ITEMS:
        return [], Problem(-1, None, f"单次最多 {MAX_ITEMS} 条，现为 {len(body)} 条")
    check = _abnormal if endpoint == "abnormal" else _limit
    reports = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            return [], Problem(index, None, "须为 JSON 对象")
        try:
            reports.append(check(item))
        except _Bad as bad:
            return [], Problem(index, bad.field, bad.message)
    return reports, None
