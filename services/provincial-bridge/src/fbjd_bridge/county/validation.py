"""A county platform's push, checked field by field exactly as the province checks the city's (附件3). Pure.

The body is the province's interface unchanged: a JSON array of items, every field required, no other field,
each in its one format (the formats the city's own payload builder writes, `province/payload.py`):

* psId 32 lower-case hex; productorEquipId, treatmentId, treatmentAmmeterId 1-64 of `[0-9A-Za-z_-]`;
* treatmentAmmeterIds those ids comma-joined, no spaces, no repeats, treatmentAmmeterId among them;
* exTimeStart, exTimeEnd China Standard Time `YYYY-MM-DD hh:mm:ss` (24-hour), the start before the end;
* exDay `YYYY-MM-DD`, the date of exTimeEnd (the interface's own example: 23:15 → 01:00 is the next day);
* productorEquipThreshold, treatmentAmmeterThreshold kW as numeric strings (`"10"`, `"12.5"`, ≤ 3 decimals);
* treatmentAmmeterThresholdTime an integer of minutes, 1-1440; remark the judgement basis, 1-500 characters.

The first problem is answered as the province answers, naming the item and the field
(`第2条记录 exTimeEnd：…`); one bad item refuses the whole array. The province simulator (infra/) checks the
same formats with code of its own, on purpose: the city's push is tested against a second reading of the
interface, never against the bridge's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fbjd_core.time import from_cst

from fbjd_bridge.province.payload import ABNORMAL_FIELDS, LIMIT_FIELDS, REMARK_MAX_CHARS, Endpoint

__all__ = ["MAX_ITEMS", "CountyItem", "Problem", "kw_value", "validate"]

MAX_ITEMS = 500

_PS_ID = re.compile(r"^[0-9a-f]{32}$")
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_KW = re.compile(r"^(0|[1-9]\d{0,6})(\.\d{1,3})?$")
_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, worded as the province words it; `index` -1: the request as a whole."""

    index: int
    field: str | None
    message: str

    @property
    def msg(self) -> str:
        where = f"第{self.index + 1}条记录" if self.index >= 0 else "请求"
        return f"{where} {self.field}：{self.message}" if self.field else f"{where}：{self.message}"


@dataclass(frozen=True, slots=True)
class CountyItem:
    """One valid item: its place in the array, the point it is about (treatment point; for limit records the
    production facility), its span (aware UTC) and the item as received."""

    index: int
    endpoint: Endpoint
    ps_id: str
    point: str
    start: datetime
    end: datetime
    item: dict[str, Any]

    @property
    def production_facility_id(self) -> str:
        return str(self.item["productorEquipId"])

    @property
    def treatment_facility_id(self) -> str | None:
        value = self.item.get("treatmentId")
        return None if value is None else str(value)

    @property
    def point_ids(self) -> list[str]:
        """The treatment node's main/standby points (abnormal), none for limit records."""
        group = self.item.get("treatmentAmmeterIds")
        return [] if group is None else str(group).split(",")


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _text(item: dict[str, Any], field: str) -> str:
    value = item[field]
    if not isinstance(value, str):
        raise _Bad(field, f"须为字符串，现为 {type(value).__name__} {value!r}")
    if "\x00" in value:
        raise _Bad(field, "含有 NUL 字符")
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
        local = datetime.strptime(value, _FORMAT)
    except ValueError:
        raise _Bad(field, f"不是有效的时间：{value!r}") from None
    if not 2000 <= local.year <= 2999:
        raise _Bad(field, f"年份须在2000-2999之间，现为 {value!r}")
    return from_cst(local)


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
        raise _Bad(str(extra[0])[:64], "不是接口定义的字段")
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
    if not remark.strip() or len(remark) > REMARK_MAX_CHARS:
        raise _Bad("remark", f"须为1-{REMARK_MAX_CHARS}字的判定依据，现为 {len(remark.strip())} 字")
    return ps_id, start, end


def _abnormal(index: int, item: dict[str, Any]) -> CountyItem:
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
    return CountyItem(index, Endpoint.ABNORMAL, ps_id, main, start, end, dict(item))


def _limit(index: int, item: dict[str, Any]) -> CountyItem:
    ps_id, start, end = _common(item, LIMIT_FIELDS)
    return CountyItem(index, Endpoint.LIMIT, ps_id, item["productorEquipId"], start, end, dict(item))


def validate(endpoint: Endpoint, body: Any) -> tuple[list[CountyItem], Problem | None]:
    """The items of a valid array, or the first problem (and no item)."""
    if not isinstance(body, list):
        return [], Problem(-1, None, "请求体须为 JSON 数组")
    if not body:
        return [], Problem(-1, None, "请求体为空数组")
    if len(body) > MAX_ITEMS:
        return [], Problem(-1, None, f"单次最多 {MAX_ITEMS} 条，现为 {len(body)} 条")
    check = _abnormal if endpoint is Endpoint.ABNORMAL else _limit
    items = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            return [], Problem(index, None, "须为 JSON 对象")
        try:
            items.append(check(index, item))
        except _Bad as bad:
            return [], Problem(index, bad.field, bad.message)
    return items, None


def kw_value(text: str) -> float:
    """A validated kW string as a number (for the city's alarm)."""
    return float(Decimal(text))
