"""The overview's figures (总览), put together from the services' answers: the registry's enterprises (lifecycle,
county, industry), ingest's device overview (online now, rates) and the workflow's statistics (records open and
today). Pure: the page fetches in parallel, this joins by psId, county and industry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fbjd_web.vocabulary import GRADE_LABELS, LIFECYCLE_LABELS, OPEN_STAGES, STAGE_LABELS, TYPE_LABELS

__all__ = [
    "AreaRow",
    "CountRow",
    "area_rows",
    "by_key",
    "county_names",
    "grade_rows",
    "lifecycle_counts",
    "stage_rows",
    "type_rows",
]


@dataclass(slots=True)
class AreaRow:
    """One county or industry side by side with the others."""

    key: str
    name: str
    enterprises: int = 0
    devices: int = 0
    online: int = 0
    open_records: int = 0
    records_today: int = 0
    ps_ids: list[str] = field(default_factory=list)

    @property
    def online_rate(self) -> float | None:
        return self.online / self.devices if self.devices else None


@dataclass(frozen=True, slots=True)
class CountRow:
    key: str
    label: str
    today: int
    open: int


def lifecycle_counts(enterprises: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, int]]:
    """(stage, label, enterprises) for every lifecycle stage in order, zeros included."""
    counts = Counter(str(e.get("stage")) for e in enterprises)
    return [(stage, label, counts.get(stage, 0)) for stage, label in LIFECYCLE_LABELS.items()]


def county_names(regions: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {c["code"]: c["name"] for city in regions for c in city.get("counties") or []}


def by_key(groups: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The workflow statistics' groups ({key, total, open, by_stage}) by key."""
    return {str(g["key"]): g for g in groups}


def area_rows(
    enterprises: Sequence[Mapping[str, Any]],
    devices: Sequence[Mapping[str, Any]],
    stats_all: Sequence[Mapping[str, Any]],
    stats_today: Sequence[Mapping[str, Any]],
    *,
    area_of: str,
    names: Mapping[str, str],
) -> list[AreaRow]:
    """Rows per county (`area_of="county_code"`) or industry (`"industry"`): enterprises, devices online now,
    open records and records today. Areas that appear anywhere get a row; the named ones always do."""
    rows: dict[str, AreaRow] = {key: AreaRow(key=key, name=name) for key, name in names.items()}

    def row(key: str) -> AreaRow:
        if key not in rows:
            rows[key] = AreaRow(key=key, name=names.get(key, key or "未登记"))
        return rows[key]

    area_of_ps: dict[str, str] = {}
    for enterprise in enterprises:
        key = str(enterprise.get(area_of) or "")
        area_of_ps[str(enterprise["ps_id"])] = key
        target = row(key)
        target.enterprises += 1
        target.ps_ids.append(str(enterprise["ps_id"]))
    for device in devices:
        key = area_of_ps.get(str(device["ps_id"]), "")
        target = row(key)
        target.devices += int(device.get("devices") or 0)
        target.online += int(device.get("online_now") or 0)
    for group in stats_all:
        row(str(group["key"])).open_records = int(group.get("open") or 0)
    for group in stats_today:
        row(str(group["key"])).records_today = int(group.get("total") or 0)
    return sorted(rows.values(), key=lambda r: (r.key == "", r.key))


def type_rows(today: Sequence[Mapping[str, Any]], all_time: Sequence[Mapping[str, Any]]) -> list[CountRow]:
    """Per abnormal type: records received today, and open now."""
    return _count_rows(TYPE_LABELS, today, all_time)


def grade_rows(today: Sequence[Mapping[str, Any]], all_time: Sequence[Mapping[str, Any]]) -> list[CountRow]:
    """Per grade (一般/较重/严重): records received today, and open now."""
    return _count_rows(GRADE_LABELS, today, all_time)


def _count_rows(
    labels: Mapping[str, str], today: Sequence[Mapping[str, Any]], all_time: Sequence[Mapping[str, Any]]
) -> list[CountRow]:
    t, a = by_key(today), by_key(all_time)
    return [
        CountRow(key, label, int(t.get(key, {}).get("total", 0)), int(a.get(key, {}).get("open", 0)))
        for key, label in labels.items()
    ]


def stage_rows(today: Mapping[str, int], all_time: Mapping[str, int]) -> list[CountRow]:
    """Per disposition stage: records received today now in it, and all records now in it (open stages first)."""
    ordered = list(OPEN_STAGES) + [s for s in STAGE_LABELS if s not in OPEN_STAGES]
    return [CountRow(s, STAGE_LABELS[s], int(today.get(s, 0)), int(all_time.get(s, 0))) for s in ordered]
