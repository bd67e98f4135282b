"""Recurring maintenance (定期运维): the weekly communication check (每周通讯检查) and the quarterly data spot check
(每季度数据抽查) of the guideline's operation and maintenance, as tickets for every enterprise that is networked
or accepted — one per enterprise, kind and period.

The ticket's finding id is derived from (kind, enterprise, period), so a second process, a restart or a second
run in the same week never opens one twice. It is assigned to the third-party operator the registry's enterprise
row names (read with the list the checks are made from; no further call). The operator starts it, and closes it
with the check's report through the ordinary resolve (the maintenance record: what was checked, what was found,
what was done); a check not closed when its period ends is overdue and goes to the city like any ticket.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fbjd_core.ids import new_id
from fbjd_core.time import from_cst, to_cst
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_workflow.maintenance.service import KIND_LABELS, open_scheduled
from fbjd_workflow.sites import Site

__all__ = ["SCHEDULES", "Period", "Schedule", "open_due_checks", "quarter_of", "week_of"]

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("5b0f4c8e-2f4e-4a9b-9d6c-1f0d8a7e3c21")


@dataclass(frozen=True, slots=True)
class Period:
    key: str  # 2026-W48, 2026-Q4
    label: str  # 2026年第48周
    start: datetime  # UTC instants of the CST period
    end: datetime


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str
    period_of: Callable[[datetime], Period]
    task: str  # what the operator checks, shown on the ticket


def _cst_midnight(day: date) -> datetime:
    return from_cst(datetime.combine(day, time()))


def week_of(at: datetime) -> Period:
    """The CST calendar week (Monday to Sunday) of `at`."""
    day = to_cst(at).date()
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    start = _cst_midnight(monday)
    return Period(f"{year}-W{week:02d}", f"{year}年第{week}周", start, start + timedelta(days=7))


def quarter_of(at: datetime) -> Period:
    """The CST calendar quarter of `at`."""
    day = to_cst(at).date()
    quarter = (day.month - 1) // 3 + 1
    first = date(day.year, 3 * quarter - 2, 1)
    after = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
    return Period(f"{day.year}-Q{quarter}", f"{day.year}年第{quarter}季度", _cst_midnight(first), _cst_midnight(after))


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "weekly_communication_check",
        week_of,
        "核对各数采仪本周通讯状态、在线率与数据上传情况，处理通讯中断，填写通讯检查记录",
    ),
    Schedule(
        "quarterly_data_check",
        quarter_of,
        "抽查各监测点位本季度数据：与现场电表示值比对、核对阈值与启停状态，填写数据抽查报告",
    ),
)


def check_id(kind: str, ps_id: str, period: Period) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{ps_id}:{period.key}")


def _values(schedule: Schedule, site: Site, period: Period) -> dict[str, object]:
    finding_id = check_id(schedule.kind, site.ps_id, period)
    problem = f"{KIND_LABELS[schedule.kind]}（{period.label}）：{schedule.task}"
    return {
        "id": new_id(),
        "finding_id": finding_id,
        "finding_version": 1,
        "finding": {"schedule": schedule.kind, "period": period.key},
        "finding_status": "open",
        "kind": schedule.kind,
        "severity": "general",
        "ps_id": site.ps_id,
        "enterprise_name": site.name,
        "county": site.county,
        "mn": None,
        "point_id": None,
        "problem": problem,
        "started_at": period.start,
        "ended_at": None,
        "status": "assigned",
        "operator_name": site.operator_name or None,
        "operator_phone": site.operator_phone or None,
        "opened_at": period.start,
        "updated_at": period.start,
        "deadline_at": period.end,
    }


async def open_due_checks(
    sessionmaker: async_sessionmaker[AsyncSession], sites: Iterable[Site], *, at: datetime
) -> int:
    """Open this period's checks of every given enterprise that lacks them, one transaction each; how many."""
    opened = 0
    for site in sites:
        for schedule in SCHEDULES:
            period = schedule.period_of(at)
            try:
                async with sessionmaker() as session, session.begin():
                    reason = f"定期运维任务：{KIND_LABELS[schedule.kind]}（{period.label}）"
                    opened += await open_scheduled(session, _values(schedule, site, period), reason=reason, at=at)
            except IntegrityError:  # another process opened it at the same moment
                continue
    if opened:
        log.info("recurring checks opened", extra={"opened": opened})
    return opened
