"""定期运维: every networked or accepted enterprise gets its weekly communication check and its quarterly data
spot check as tickets assigned to the operator the registry names — once per period whatever runs the job how
often — started and closed with the check's report; a check not closed when its period ends goes to the city."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from fbjd_core.auth import Role
from fbjd_workflow.config import Settings
from fbjd_workflow.maintenance.recurring import open_due_checks, quarter_of, week_of
from fbjd_workflow.maintenance.tasks import escalate_overdue
from fbjd_workflow.runtime import RECURRING_STAGES
from fbjd_workflow.sites import SiteDirectory
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import Outside

CANGXIAN = "130921"  # 沧县

WEDNESDAY = datetime(2026, 10, 7, 2, 0, tzinfo=UTC)  # 10:00 CST, week 41, Q4 (weeks ago: overdue by now)


def test_weeks_and_quarters_are_china_standard_time_calendar_periods() -> None:
    week = week_of(WEDNESDAY)
    assert week.key == "2026-W41" and week.start == datetime(2026, 10, 4, 16, 0, tzinfo=UTC)  # Mon 00:00 CST
    sunday_late = datetime(2026, 10, 11, 15, 59, tzinfo=UTC)  # Sunday 23:59 CST
    assert week_of(sunday_late).key == "2026-W41" and week_of(week.end).key == "2026-W42"
    quarter = quarter_of(WEDNESDAY)
    assert quarter.key == "2026-Q4" and quarter.end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert quarter_of(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)).key == "2027-Q1"


async def test_networked_and_accepted_enterprises_get_each_check_once_per_period_and_close_it_with_a_report(
    outside: Outside,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    api: Callable[..., httpx.AsyncClient],
) -> None:
    networked, accepted, planned = (uuid.uuid4().hex for _ in range(3))
    for ps_id, stage in ((networked, "networked"), (accepted, "accepted"), (planned, "planned")):
        outside.enterprises[ps_id] = {"name": f"定期运维测试企业{stage}", "county_code": CANGXIAN, "stage": stage}
    outside.enterprises[networked] |= {"operator_name": "河北环测科技有限公司", "operator_phone": "0317-2025555"}
    async with httpx.AsyncClient() as client:
        found = await SiteDirectory(settings, client).enterprises(stages=RECURRING_STAGES)
    assert found is not None
    ours = [site for site in found if site.ps_id in {networked, accepted, planned}]
    assert {site.ps_id for site in ours} == {networked, accepted}, "a planned enterprise has no terminal yet"

    assert await open_due_checks(sessionmaker, ours, at=WEDNESDAY) == 4, "two enterprises × two checks"
    assert await open_due_checks(sessionmaker, ours, at=WEDNESDAY) == 0, "never twice in one period"

    enterprise = api(Role.ENTERPRISE, enterprise_id=networked)
    listed = await enterprise.get("/maintenance", params={"ps_id": networked})
    assert listed.status_code == 200, listed.text
    tickets = listed.json()
    by_kind = {t["kind"]: t for t in tickets}
    weekly, quarterly = by_kind["weekly_communication_check"], by_kind["quarterly_data_check"]
    assert weekly["kind_label"] == "每周通讯检查" and "2026年第41周" in weekly["problem"]
    assert weekly["deadline_at"].startswith("2026-10-11T16:00:00")  # Monday 00:00 CST
    assert quarterly["deadline_at"].startswith("2026-12-31T16:00:00")
    assert {t["status"] for t in tickets} == {"assigned"}
    assert {t["operator_name"] for t in tickets} == {"河北环测科技有限公司"}, "the registry's operator, no further call"
    assert weekly["operator_phone"] == "0317-2025555"
    city = api(Role.CITY)
    unnamed = (await city.get("/maintenance", params={"ps_id": accepted})).json()
    assert [t["operator_name"] for t in unnamed] == [None, None], "no operator registered: left empty"

    started = await enterprise.post(f"/maintenance/{weekly['id']}/start", json={"note": "远程核对通讯状态"})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    report = {"text": "本周 3 台数采仪通讯正常，在线率 99.6%，无中断", "action": "远程核对", "result": "正常"}
    closed = await enterprise.post(f"/maintenance/{weekly['id']}/resolve", json=report)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["resolution"]["text"] == report["text"]
    assert closed.json()["resolution"]["operator_name"] == "河北环测科技有限公司"

    next_week = datetime(2026, 10, 14, 2, 0, tzinfo=UTC)
    assert await open_due_checks(sessionmaker, ours, at=next_week) == 2, "only the new week's checks"
    escalated = await escalate_overdue(sessionmaker)
    assert escalated >= 2, "the unanswered weekly checks of the accepted enterprise go to the city"
    late = (await city.get("/maintenance", params={"ps_id": accepted, "escalated": "true"})).json()
    assert [t["kind"] for t in late] == ["weekly_communication_check"] * 2, "weeks 41 and 42; the quarter runs on"
    history = (await city.get(f"/maintenance/{late[0]['id']}")).json()["events"]
    assert "超过 168 小时未处理" in history[-1]["reason"], "a week was allowed, not the findings' 72 hours"
    unescalated = (await city.get("/maintenance", params={"ps_id": networked, "escalated": "true"})).json()
    assert [t["kind"] for t in unescalated] == ["weekly_communication_check"], "week 42 only: 41 was reported"
