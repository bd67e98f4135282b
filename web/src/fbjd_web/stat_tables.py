"""The statistics tables (北京导则 6.9) as plain rows: the page shows them and 「导出 Excel」 writes the very same rows.

Each builder takes the services' answers (and the registry's names) and returns a `Table`: headers, rows whose
numbers are numbers (shares as fractions, formatted as percent in Excel and on the page), and the file name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fbjd_web.consumption import GRANULARITY_LABELS, GROUP_LABELS, ConsumptionLine
from fbjd_web.xlsx import Cell

__all__ = [
    "ABNORMAL_BY_LABELS",
    "ABNORMAL_TYPE_LABELS",
    "LOW_RATE",
    "STAGE_LABELS",
    "Table",
    "abnormal_table",
    "consumption_table",
    "online_table",
    "rates_table",
]

PERCENT = "0.0%"
KWH = "#,##0.000"
#: The guideline's maintenance mark: a point below 90 % monthly transmission needs maintenance.
LOW_RATE = 0.9

ABNORMAL_TYPE_LABELS = {
    "treatment_abnormal": "治理设施异常",
    "stop_violation": "应停未停",
    "limit_violation": "限产未限",
    "offpeak_violation": "错峰未错",
}
STAGE_LABELS = {
    "enterprise_check": "企业自查",
    "closed_by_enterprise": "企业已处理",
    "city_review": "市局审核",
    "approved": "审核通过",
    "rejected": "审核不通过",
    "enforcement": "执法核查",
    "inspected": "已现场核查",
    "covered_by_declaration": "已提前申报",
    "withdrawn": "已撤销",
}
ABNORMAL_BY_LABELS = {"type": "异常类型", "county": "县（市、区）", "industry": "行业"}


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    filename: str
    formats: dict[int, str] = field(default_factory=dict)

    def is_percent(self, column: int) -> bool:
        return self.formats.get(column, "").endswith("%")


def consumption_table(lines: Sequence[ConsumptionLine], group: str, granularity: str, span: str) -> Table:
    headers = [
        GROUP_LABELS.get(group, group),
        f"周期（{GRANULARITY_LABELS.get(granularity, granularity)}）",
        "用电量(kWh)",
        "上期用电量(kWh)",
        "环比",
        "上年同期用电量(kWh)",
        "同比",
    ]
    rows: list[list[Cell]] = [
        [line.group, line.label, line.kwh, line.previous_kwh, line.mom, line.year_ago_kwh, line.yoy] for line in lines
    ]
    return Table(
        title=f"用电量统计（按{GROUP_LABELS.get(group, group)}、{GRANULARITY_LABELS.get(granularity, granularity)}）",
        headers=headers,
        rows=rows,
        filename=f"用电量统计_{GROUP_LABELS.get(group, group)}_{span}.xlsx",
        formats={2: KWH, 3: KWH, 4: PERCENT, 5: KWH, 6: PERCENT},
    )


def online_table(
    overview: Mapping[str, Any], enterprises: Mapping[str, Mapping[str, Any]], counties: Mapping[str, str]
) -> Table:
    """Terminals per enterprise: how many, how many online now, and this month's transmission rate."""
    rows: list[list[Cell]] = []
    for item in overview.get("enterprises", []):
        e = enterprises.get(item["ps_id"], {})
        devices, online = int(item["devices"]), int(item["online_now"])
        rows.append(
            [
                e.get("name", item["ps_id"]),
                counties.get(e.get("county_code", ""), e.get("county_code", "")),
                devices,
                online,
                devices - online,
                online / devices if devices else None,
                item.get("transmission_rate_month"),
            ]
        )
    rows.sort(key=lambda r: (r[5] if isinstance(r[5], float) else 2.0, str(r[0])))
    return Table(
        title="数采终端在线率",
        headers=["企业", "县（市、区）", "终端数", "在线", "离线", "当前在线率", "本月传输率"],
        rows=rows,
        filename="终端在线率.xlsx",
        formats={5: PERCENT, 6: PERCENT},
    )


def rates_table(
    rates: Mapping[str, Any],
    devices: Sequence[Mapping[str, Any]],
    counties: Mapping[str, str],
    *,
    only_low: bool,
) -> Table:
    """Monthly transmission rate per point (the rate of the terminal that carries it), lowest first;
    `only_low`: the < 90 % list for maintenance."""
    carried = {d["mn"]: d for d in devices}
    rows: list[list[Cell]] = []
    for item in rates.get("items", []):
        rate = item.get("rate")
        low = bool(item.get("needs_maintenance")) or (rate is not None and rate < LOW_RATE)
        if only_low and not low:
            continue
        device = carried.get(item["mn"], {})
        name = device.get("enterprise_name", item["ps_id"])
        county = counties.get(device.get("county_code", ""), device.get("county_code", ""))
        for point in device.get("points") or [{"name": "（终端未登记测点）"}]:
            rows.append(
                [
                    name,
                    county,
                    point["name"],
                    item["mn"],
                    item["received"],
                    item["expected"],
                    rate,
                    "是" if low else "否",
                ]
            )
    rows.sort(key=lambda r: (r[6] if isinstance(r[6], float) else 2.0, str(r[0]), str(r[2])))  # nothing expected: last
    month = str(rates.get("month", ""))
    return Table(
        title=f"{month} 测点数据传输率" + ("（低于90%，需维护）" if only_low else ""),
        headers=["企业", "县（市、区）", "监测点位", "数采终端MN", "实收条数", "应收条数", "传输率", "需维护"],
        rows=rows,
        filename=f"数据传输率_{month}{'_低于90%' if only_low else ''}.xlsx",
        formats={6: PERCENT},
    )


def abnormal_table(stats: Mapping[str, Any], by: str, counties: Mapping[str, str], span: str) -> Table:
    """Abnormal records by type, county or industry: total, still open, and the count in each stage."""
    groups = stats.get(f"by_{by}", [])
    stages = [s for s in STAGE_LABELS if any(g["by_stage"].get(s) for g in groups)]

    def label(key: str) -> str:
        if by == "type":
            return ABNORMAL_TYPE_LABELS.get(key, key)
        return counties.get(key, key) if by == "county" else key

    ordered = sorted(groups, key=lambda g: -int(g["total"]))
    numbers = [[int(g["total"]), int(g["open"]), *(int(g["by_stage"].get(s, 0)) for s in stages)] for g in ordered]
    rows: list[list[Cell]] = [[label(g["key"]), *counts] for g, counts in zip(ordered, numbers, strict=True)]
    if rows:
        rows.append(["合计", *(sum(column) for column in zip(*numbers, strict=True))])
    return Table(
        title=f"异常统计（按{ABNORMAL_BY_LABELS.get(by, by)}）",
        headers=[ABNORMAL_BY_LABELS.get(by, by), "异常总数", "未办结", *(STAGE_LABELS[s] for s in stages)],
        rows=rows,
        filename=f"异常统计_{ABNORMAL_BY_LABELS.get(by, by)}_{span}.xlsx",
    )
