"""The daily self-audit (每日自查): computed by a background job, stored, and served from storage — a page view
reads no source; a refresh asked twice computes once; a county sees its own county of the city's report."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from fbjd_bridge.self_audit.job import SelfAuditJob, next_run
from fbjd_bridge.self_audit.sources import AuditSources
from fbjd_core.auth import Role
from sqlalchemy import text

from .conftest import CANGXIAN, XINHUA, City, careless_works, stored, well_kept_works
from .test_self_audit import bridge_reading, checks_of


class Reads:
    """How often the sources were read: `reports` city-wide listings, `enterprises` per-enterprise reads."""

    def __init__(self) -> None:
        self.reports = 0
        self.enterprises = 0


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    counted = Reads()
    listing, reading = AuditSources.enterprises, AuditSources.of_enterprise

    async def enterprises(self: AuditSources, **kwargs: Any) -> list[dict[str, Any]]:
        counted.reports += 1
        return await listing(self, **kwargs)

    async def of_enterprise(self: AuditSources, enterprise: dict[str, Any], **kwargs: Any) -> Any:
        counted.enterprises += 1
        return await reading(self, enterprise, **kwargs)

    monkeypatch.setattr(AuditSources, "enterprises", enterprises)
    monkeypatch.setattr(AuditSources, "of_enterprise", of_enterprise)
    yield counted


async def stored_rows(city: City) -> list[tuple[str, str]]:
    async with city.sessionmaker() as session:
        rows = await session.execute(text("SELECT trigger, state FROM bridge.self_audit_reports ORDER BY id"))
        return [(str(t), str(s)) for t, s in rows]


def test_the_day_s_run_is_at_two_in_the_morning_china_time() -> None:
    two = time(2, 0)
    assert next_run(datetime(2026, 11, 24, 17, 0, tzinfo=UTC), two) == datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 11, 24, 18, 0, tzinfo=UTC), two) == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 11, 25, 1, 0, tzinfo=UTC), two) == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


async def test_no_report_yet_is_being_generated_then_served_without_reading_the_sources_again(
    city: City, bridge_factory: Callable[..., Any], reads: Reads
) -> None:
    await well_kept_works(city.registry)
    async with bridge_reading(bridge_factory, city) as bridge:
        city_user = bridge.api(Role.CITY)
        first = await city_user.get("/self-audit")
        assert first.status_code == 202, first.text
        assert first.json()["state"] == "generating" and "正在生成" in first.json()["detail"]
        report = await stored(city_user)
        assert reads.reports == 1
        listed = reads.enterprises
        assert listed == len(report["enterprises"]) > 0

        again = [await city_user.get("/self-audit") for _ in range(3)]
        county = await bridge.api(Role.COUNTY, county=XINHUA).get("/self-audit")
        workbook = await city_user.get("/self-audit.xlsx")

    assert [r.status_code for r in again] == [200, 200, 200]
    assert {r.json()["generated_at"] for r in again} == {report["generated_at"]}
    assert county.status_code == 200 and workbook.status_code == 200
    assert (reads.reports, reads.enterprises) == (1, listed)  # nothing read again
    assert await stored_rows(city) == [("request", "done")]


async def test_the_job_s_first_run_at_start_stores_a_report(
    city: City, bridge_factory: Callable[..., Any], reads: Reads
) -> None:
    await well_kept_works(city.registry)
    async with bridge_reading(bridge_factory, city, sender_enabled=True) as bridge:
        deadline = asyncio.get_running_loop().time() + 60
        while await stored_rows(city) != [("start", "done")]:
            assert asyncio.get_running_loop().time() < deadline, await stored_rows(city)
            await asyncio.sleep(0.1)
        report = await stored(bridge.api(Role.CITY))
    assert reads.reports == 1 and report["window_days"] == 30


async def test_a_refresh_asked_twice_computes_once_and_answers_the_stored_report_meanwhile(
    city: City,
    bridge_factory: Callable[..., Any],
    sessionmaker: Any,
    settings_factory: Callable[..., Any],
    reads: Reads,
) -> None:
    await well_kept_works(city.registry)
    urls = {"registry_url": city.registry_url, "rules_url": city.rules_url, "workflow_url": city.workflow_url}
    assert await SelfAuditJob(sessionmaker, settings_factory(**urls)).compute("schedule") is not None
    assert reads.reports == 1
    async with bridge_reading(bridge_factory, city) as bridge:
        city_user = bridge.api(Role.CITY)
        before = await stored(city_user)
        first, second = await asyncio.gather(
            city_user.get("/self-audit", params={"refresh": "true"}),
            city_user.get("/self-audit", params={"refresh": "true"}),
        )
        county_refresh = await bridge.api(Role.COUNTY, county=CANGXIAN).get("/self-audit", params={"refresh": "true"})
        assert sorted(r.json()["refresh"] for r in (first, second)) == ["already_running", "started"]
        assert {r.json()["generated_at"] for r in (first, second)} == {before["generated_at"]}  # the stored one
        assert all(r.json()["refreshing"] for r in (first, second))
        deadline = asyncio.get_running_loop().time() + 60
        while (now := await stored(city_user))["generated_at"] == before["generated_at"]:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # time enough for a second run, were one started
    assert county_refresh.status_code == 403
    assert now["refreshing"] is False
    assert reads.reports == 2  # the first report and one refresh
    assert await stored_rows(city) == [("schedule", "done"), ("refresh", "done")]


async def test_a_county_sees_its_own_county_of_the_city_s_report(
    city: City, bridge_factory: Callable[..., Any], reads: Reads
) -> None:
    kept = await well_kept_works(city.registry)
    careless = await careless_works(city.registry)
    async with bridge_reading(bridge_factory, city) as bridge:
        whole_city = await stored(bridge.api(Role.CITY))
        county = bridge.api(Role.COUNTY, county=CANGXIAN)
        own = await county.get("/self-audit")
        other_county = await county.get("/self-audit", params={"county": XINHUA})
        asked_by_city = await bridge.api(Role.CITY).get("/self-audit", params={"county": XINHUA})
        own_workbook = await county.get("/self-audit.xlsx")

    assert own.status_code == 200, own.text
    report = own.json()
    assert {e["county"] for e in report["enterprises"]} == {CANGXIAN}
    assert [c["county"] for c in report["counties"]] == [CANGXIAN]
    assert careless["ps_id"] in {e["ps_id"] for e in report["enterprises"]}
    assert checks_of(report, careless["ps_id"])[3]["status"] == "findings"
    assert report["generated_at"] == whole_city["generated_at"]
    assert other_county.status_code == 403
    assert {e["county"] for e in asked_by_city.json()["enterprises"]} == {XINHUA}
    assert {kept["ps_id"], careless["ps_id"]} <= {e["ps_id"] for e in whole_city["enterprises"]}
    assert own_workbook.status_code == 200
    assert reads.reports == 1


async def test_only_the_last_reports_are_kept(
    city: City, sessionmaker: Any, settings_factory: Callable[..., Any]
) -> None:
    urls = {"registry_url": city.registry_url, "rules_url": city.rules_url, "workflow_url": city.workflow_url}
    job = SelfAuditJob(sessionmaker, settings_factory(**urls, self_audit_keep=2))
    made = [await job.compute("schedule") for _ in range(3)]
    assert None not in made
    async with city.sessionmaker() as session:
        kept = list(await session.scalars(text("SELECT id FROM bridge.self_audit_reports ORDER BY id")))
    assert kept == made[1:]
    latest = await job.latest()
    assert latest is not None and latest.window_days == 30


async def test_a_run_the_registry_does_not_answer_is_failed_not_left_running(
    city: City, sessionmaker: Any, settings_factory: Callable[..., Any], unused_port: int
) -> None:
    dead = f"http://127.0.0.1:{unused_port}"
    job = SelfAuditJob(sessionmaker, settings_factory(registry_url=dead, rules_url=dead, workflow_url=dead))
    assert await job.compute("schedule") is None
    assert await stored_rows(city) == [("schedule", "failed")]
    assert await job.running_since() is None and await job.latest() is None
