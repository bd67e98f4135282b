"""Check (1) from the data itself (附件4 §4: 数据显示异常但未报警): the rules judge the readings on demand and the
self-audit compares what they show with the records and the alarms, against the real registry, rules and
workflow over HTTP, with readings written into ingest's table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_bridge.config import Settings
from fbjd_core.auth import Role
from fbjd_core.time import fixed_clock
from fbjd_rules.engine.records import record_id
from pydantic import SecretStr, ValidationError

from .conftest import City, raise_alarm, record_row, well_kept_works, write_power
from .test_self_audit import bridge_reading, checks_of


async def works_as_of_yesterday(city: City) -> dict[str, Any]:
    """The works as registered a day ago (the rules judge by the registry as of the data's time)."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with fixed_clock(lambda: yesterday):
        return await well_kept_works(city.registry)


async def test_the_data_shows_a_miss_a_near_miss_and_a_silence_and_the_report_says_each(
    city: City, bridge_factory: Callable[..., Any], database_url: str, make_token: Callable[..., str]
) -> None:
    """Kiln on for 5 hours; the main fan off 20 min (recorded, alarmed), off 20 min (no record: a miss),
    off 10 min (a near miss), silent 30 min (the data cannot decide)."""
    works = await works_as_of_yesterday(city)
    start = (datetime.now(UTC) - timedelta(hours=6)).replace(second=0, microsecond=0)
    await write_power(database_url, works["ps_id"], works["production_point"], start, [(300, 60.0)])
    fan = [(30, 30.0), (20, 1.0), (30, 30.0), (20, 1.0), (30, 30.0), (10, 1.0), (30, 30.0), (30, None), (100, 30.0)]
    await write_power(database_url, works["ps_id"], works["main"], start, fan)

    recorded = record_row(works, start=start + timedelta(minutes=30))
    recorded.id = record_id(
        "treatment_abnormal", works["ps_id"], works["production"]["id"], works["main"]["id"], recorded.start_at
    )
    recorded.end_at, recorded.duration_minutes = start + timedelta(minutes=50), 20
    async with city.sessionmaker.begin() as session:
        session.add(recorded)
    await raise_alarm(city, recorded)

    async with bridge_reading(bridge_factory, city) as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit", params={"ps_id": works["ps_id"], "days": 7})
    assert reply.status_code == 200, reply.text
    check = checks_of(reply.json(), works["ps_id"])[1]

    assert check["status"] == "findings"
    assert check["unchecked"] is None  # the rules answered the whole week: nothing left unchecked
    (miss, silence) = check["findings"]
    assert "没有相应的异常记录" in miss["text"] and "20 分钟" in miss["text"]
    assert miss["evidence"]["path"].startswith(f"/api/rules/stretches?ps_id={works['ps_id']}")
    assert "无法判断启停" in silence["text"] and "合计 30 分钟" in silence["text"]
    assert silence["evidence"]["id"] == works["main"]["id"]
    (near_miss,) = check["notes"]
    assert "1 段" in near_miss and "10 分钟" in near_miss

    headers = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    async with httpx.AsyncClient(base_url=city.rules_url, headers=headers, timeout=30) as client:
        shown = await client.get(miss["evidence"]["path"])
        silent = await client.get(silence["evidence"]["path"])
    assert shown.status_code == 200, shown.text
    (stretch,) = [s for p in shown.json()["pairs"] for s in p["stretches"] if s["kind"] == "abnormal"]
    assert (stretch["minutes"], stretch["record_id"]) == (20, None)
    assert silent.status_code == 200 and works["main"]["id"] in silent.text


async def test_a_fan_silent_while_the_kiln_runs_is_a_warning_not_a_problem(
    city: City, bridge_factory: Callable[..., Any], database_url: str
) -> None:
    """The fan sends nothing for 40 minutes: no abnormal proved, but the data cannot decide — warn, with its minutes."""
    works = await works_as_of_yesterday(city)
    start = (datetime.now(UTC) - timedelta(hours=4)).replace(second=0, microsecond=0)
    await write_power(database_url, works["ps_id"], works["production_point"], start, [(200, 60.0)])
    await write_power(database_url, works["ps_id"], works["main"], start, [(60, 30.0), (40, None), (100, 30.0)])

    async with bridge_reading(bridge_factory, city) as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit", params={"ps_id": works["ps_id"]})
    assert reply.status_code == 200, reply.text
    report = reply.json()
    check = checks_of(report, works["ps_id"])[1]
    assert check["status"] == "warn" and check["notes"] == []
    (silence,) = check["findings"]
    assert "合计 40 分钟" in silence["text"]
    assert report["counties"][0]["not_checkable_by_check"]["1"] == 0


@pytest.mark.parametrize(("stretch_days", "said"), [(None, "最近 7 天"), (31, "最近 31 天"), (14, "最近 14 天")])
async def test_a_window_longer_than_the_stretch_days_is_judged_on_its_last_days_and_says_so(
    city: City, bridge_factory: Callable[..., Any], stretch_days: int | None, said: str
) -> None:
    works = await works_as_of_yesterday(city)
    setting = {} if stretch_days is None else {"self_audit_stretch_days": stretch_days}
    async with bridge_reading(bridge_factory, city, **setting) as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit", params={"ps_id": works["ps_id"], "days": 90})
    assert reply.status_code == 200, reply.text
    check = checks_of(reply.json(), works["ps_id"])[1]
    assert check["status"] == "ok" and said in check["unchecked"]


def test_the_rules_judge_31_days_at_most() -> None:
    with pytest.raises(ValidationError):
        Settings(database_url="postgresql://x/y", jwt_secret=SecretStr("s" * 32), self_audit_stretch_days=32)
