"""Power curves for static/charts.js: the period picker (24 h, 7 d, 30 d, custom) and ingest's series → chart data.

The chart convention (web.md): {"series": [{"name", "points": [[iso, kW], ...], "threshold", "kind"}],
"bands": [...], "unit": "kW"}; times are written as CST ISO strings so the axis reads as staff do.
Ingest buckets long ranges itself (at most `MAX_SAMPLES` values a curve), so a page never holds a year of readings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.time import CST, to_cst

__all__ = [
    "MAX_SAMPLES",
    "RANGES",
    "ChartRange",
    "RangeError",
    "chart_data",
    "chart_json",
    "chart_series",
    "resolve_range",
]

MAX_SAMPLES = 720
MAX_SPAN = timedelta(days=400)
RANGES: dict[str, tuple[str, timedelta]] = {
    "24h": ("近24小时", timedelta(days=1)),
    "7d": ("近7天", timedelta(days=7)),
    "30d": ("近30天", timedelta(days=30)),
}


class RangeError(ValueError):
    """A custom period the user typed that cannot be drawn (end before start, longer than 400 days)."""


@dataclass(frozen=True)
class ChartRange:
    key: str  # 24h | 7d | 30d | custom
    start: datetime
    end: datetime

    def local(self, which: str) -> str:
        """For a datetime-local input: CST wall clock to the minute."""
        moment = self.start if which == "start" else self.end
        return to_cst(moment).strftime("%Y-%m-%dT%H:%M")


def _local(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RangeError(f"无法识别的时间：{value}") from exc
    return parsed.replace(tzinfo=CST) if parsed.tzinfo is None else parsed


def resolve_range(key: str | None, start: str | None, end: str | None, now: datetime) -> ChartRange:
    """The picker's choice → an aware [start, end); custom times without an offset are China Standard Time."""
    if key != "custom":
        label_span = RANGES.get(key or "24h", RANGES["24h"])
        return ChartRange(key if key in RANGES else "24h", now - label_span[1], now)
    if not start or not end:
        raise RangeError("自定义时段须填写开始和结束时间")
    begin, finish = _local(start), _local(end)
    if finish <= begin:
        raise RangeError("结束时间须晚于开始时间")
    if finish - begin > MAX_SPAN:
        raise RangeError("曲线时段最长400天")
    return ChartRange("custom", begin, finish)


def chart_series(
    name: str, series: Mapping[str, Any], *, threshold: float | None, kind: str = "other"
) -> dict[str, Any]:
    """Ingest's `/points/{id}/series` answer → one line of the chart (bucket averages when bucketed)."""
    points = [
        [to_cst(datetime.fromisoformat(str(s["t"]).replace("Z", "+00:00"))).isoformat(), s["kw"]]
        for s in series.get("samples", [])
    ]
    return {"name": name, "points": points, "threshold": threshold, "kind": kind}


def chart_data(
    lines: Sequence[dict[str, Any]], *, bands: Sequence[dict[str, Any]] = (), unit: str = "kW"
) -> dict[str, Any]:
    return {"series": list(lines), "bands": list(bands), "unit": unit}


def chart_json(data: dict[str, Any]) -> str:
    """The chart data for a `<script type="application/json">` block: `</` escaped so no name can close it."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
