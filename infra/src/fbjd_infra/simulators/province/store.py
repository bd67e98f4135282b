"""What the simulated province holds: records merged per point, as the interface describes.

Consecutive reports of one treatment point (limit endpoint: one production facility) of one enterprise are
one record: a report whose span overlaps or touches (within `gap`) a held record's span is merged into it —
start the earliest, end the latest, the other fields from the latest report, exDay the date of the end.
So a record re-sent with the same exTimeStart and a later exTimeEnd, or the same report sent twice, stays
one record. The arrival log keeps every accepted report, in order, for the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_infra.simulators.province.validation import Report

__all__ = ["HeldRecord", "ProvinceStore", "RequestLog"]

_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class HeldRecord:
    number: int  # arrival order of the record's first report
    endpoint: str
    ps_id: str
    point: str
    start: datetime
    end: datetime
    item: dict[str, Any]
    reports: int = 1

    def as_item(self) -> dict[str, Any]:
        """The record as the province shows it: the latest report with the merged span."""
        return {
            **self.item,
            "exTimeStart": self.start.strftime(_FORMAT),
            "exTimeEnd": self.end.strftime(_FORMAT),
            "exDay": self.end.strftime("%Y-%m-%d"),
        }


@dataclass(frozen=True, slots=True)
class RequestLog:
    at: datetime
    endpoint: str
    items: int
    success: bool
    msg: str


@dataclass
class ProvinceStore:
    gap: timedelta = timedelta(0)
    records: list[HeldRecord] = field(default_factory=list)
    # (endpoint, item, when) of every accepted report, in arrival order
    arrivals: list[tuple[str, dict[str, Any], datetime]] = field(default_factory=list)
    requests: list[RequestLog] = field(default_factory=list)

    def accept(self, endpoint: str, reports: list[Report]) -> None:
        for report in reports:
            self.arrivals.append((endpoint, report.item, datetime.now(UTC)))
            self._merge(endpoint, report)

    def _touches(self, held: HeldRecord, start: datetime, end: datetime) -> bool:
        return held.start <= end + self.gap and start <= held.end + self.gap

    def _merge(self, endpoint: str, report: Report) -> None:
        same = [
            held
            for held in self.records
            if (held.endpoint, held.ps_id, held.point) == (endpoint, report.ps_id, report.point)
            and self._touches(held, report.start, report.end)
        ]
        if not same:
            number = len(self.records) + 1
            self.records.append(
                HeldRecord(number, endpoint, report.ps_id, report.point, report.start, report.end, report.item)
            )
            return
        keeper, *absorbed = sorted(same, key=lambda held: held.number)
        keeper.start = min([report.start, *(held.start for held in same)])
        keeper.end = max([report.end, *(held.end for held in same)])
        keeper.item = report.item
        keeper.reports += 1 + sum(held.reports for held in absorbed)
        gone = {id(held) for held in absorbed}
        self.records = [held for held in self.records if id(held) not in gone]

    def held(self, endpoint: str | None = None, ps_id: str | None = None) -> list[HeldRecord]:
        return [
            held
            for held in self.records
            if (endpoint is None or held.endpoint == endpoint) and (ps_id is None or held.ps_id == ps_id)
        ]
