"""Statistics: counts by stage, county, industry and type, and how long each stage took."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Desk


async def test_statistics_count_the_stages_and_measure_how_long_each_took(desk: Desk) -> None:
    county = f"99{random.randint(1000, 9999)}"  # a county of this test alone
    handled = await desk.raise_alarm(county=county)
    approved = await desk.raise_alarm(county=county, industry="化工")
    inspected = await desk.raise_alarm(county=county, type="stop_violation", treatment_facility_id=None)
    with desk.later(minutes=10):
        reply = await desk.enterprise(handled).post(
            f"/alarms/{handled['id']}/handle", json={"reason": "power_loss", "text": "厂区突然断电"}
        )
        assert reply.status_code == 200
    with desk.later(minutes=31):
        await desk.workflow.fire_timers()
    with desk.later(minutes=91):
        await desk.review(approved, "approve")
        rejected = await desk.review(inspected, "reject")
    officer = desk.api(Role.ENFORCEMENT, subject="stats-officer")
    task = rejected["task"]["id"]
    with desk.later(minutes=151):
        assert (await officer.post(f"/tasks/{task}/accept")).status_code == 200
        inspection = {
            "officer_name": "赵执法",
            "officer_id": "HB-CZ-0100",
            "inspected_at": "2026-11-25T16:00:00+08:00",
            "findings": "现场已停产",
            "conclusion": "no_violation",
        }
        assert (await officer.post(f"/tasks/{task}/inspection", json=inspection)).status_code == 201

    stats = (await desk.city.get("/stats", params={"county": county})).json()
    assert stats["total"] == 3 and stats["open"] == 0
    assert stats["by_stage"] == {"closed_by_enterprise": 1, "approved": 1, "inspected": 1}
    assert [(g["key"], g["total"]) for g in stats["by_county"]] == [(county, 3)]
    assert {g["key"]: g["total"] for g in stats["by_industry"]} == {"化工": 1, "新型建材": 2}
    assert {g["key"]: g["total"] for g in stats["by_type"]} == {"stop_violation": 1, "treatment_abnormal": 2}
    assert [(g["key"], g["total"], g["open"]) for g in stats["by_grade"]] == [("general", 3, 0)]
    durations = stats["durations"]
    assert durations["enterprise_handling"]["count"] == 1
    assert durations["enterprise_handling"]["average_minutes"] == pytest.approx(10, abs=0.5)
    assert durations["city_review"]["count"] == 2
    assert durations["city_review"]["average_minutes"] == pytest.approx(60, abs=0.5)
    assert durations["inspection"]["count"] == 1
    assert durations["inspection"]["average_minutes"] == pytest.approx(60, abs=0.5)

    own = (await desk.enterprise(handled).get("/stats")).json()
    assert own["total"] == 1 and own["by_stage"] == {"closed_by_enterprise": 1}
    other_county = desk.api(Role.COUNTY, county="130982")
    assert (await other_county.get("/stats", params={"county": county})).json()["total"] == 0
