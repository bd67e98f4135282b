"""Monitoring points (监测点位): role, rating, threshold, device channel — each checked, relations too."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Builder


def _mn() -> str:
    return uuid.uuid4().hex[:24].upper()


@pytest.fixture
async def plant(build: Builder) -> dict[str, Any]:
    """An enterprise with one production and one treatment facility."""
    ps_id = (await build.enterprise())["ps_id"]
    return {
        "ps_id": ps_id,
        "dryer": await build.facility(ps_id, "喷雾干燥塔", rated_kw=200),
        "bag": await build.facility(ps_id, "喷雾干燥塔布袋除尘器", "treatment", rated_kw=90),
    }


async def test_a_point_carries_rating_threshold_and_its_device_channel(build: Builder, plant: dict[str, Any]) -> None:
    mn = _mn()
    point = await build.point(
        plant["ps_id"],
        plant["bag"],
        "喷雾干燥塔布袋除尘器-收尘风机",
        rated_kw=90,
        threshold_kw=15,
        mn=mn,
        factor_code="d30501",
        standby_group="A",
    )
    assert (point["role"], point["threshold_source"], point["judgement_minutes"]) == ("treatment", "declared", 15)
    assert (point["mn"], point["factor_code"], point["standby_group"]) == (mn, "d30501", "A")


BAD_FORMATS: list[tuple[dict[str, Any], str, str]] = [
    ({"mn": "ABC-123", "factor_code": "d20501"}, "mn", "24位"),
    ({"mn": "A" * 24, "factor_code": "D2-05"}, "factor_code", "因子编码"),
    ({"judgement_minutes": 0}, "judgement_minutes", "须不小于 1"),
    ({"role": "meter"}, "role", "须为以下之一"),
    ({"rated_kw": -5}, "rated_kw", "须大于 0"),
    ({"threshold_source": "guessed"}, "threshold_source", "须为以下之一"),
    ({"name": " "}, "name", "至少 2 个字"),
]


@pytest.mark.parametrize(("change", "field", "expected"), BAD_FORMATS, ids=[f for _, f, _ in BAD_FORMATS])
async def test_a_badly_formed_point_field_is_named(
    city: httpx.AsyncClient, plant: dict[str, Any], change: dict[str, Any], field: str, expected: str
) -> None:
    body = {"facility_id": plant["dryer"]["id"], "name": "喷雾干燥塔-热风机", "role": "production", **change}
    reply = await city.post(f"/enterprises/{plant['ps_id']}/points", json=body)
    assert reply.status_code == 422, reply.text
    problems = reply.json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field] and expected in problems[0]["message"], problems
    assert (await city.get(f"/enterprises/{plant['ps_id']}/points")).json() == []


INCONSISTENT: list[tuple[str, dict[str, Any], str, str]] = [
    ("total line on a facility", {"role": "total_line"}, "facility_id", "总进线测点不属于任何设施"),
    ("production point on treatment", {"role": "production", "facility": "bag"}, "role", "只能属于生产设施"),
    ("treatment point on production", {"role": "treatment"}, "role", "只能属于治污设施"),
    ("standby group on production", {"standby_group": "A"}, "standby_group", "只有治污设施测点"),
    ("threshold above rating", {"rated_kw": 50, "threshold_kw": 60}, "threshold_kw", "大于额定功率"),
    ("MN without factor", {"mn": "B" * 24}, "factor_code", "同时填写"),
    ("source without threshold", {"threshold_source": "learned"}, "threshold_source", "未填写阈值"),
]


@pytest.mark.parametrize(("case", "change", "field", "expected"), INCONSISTENT, ids=[c[0] for c in INCONSISTENT])
async def test_fields_that_contradict_each_other_are_named(
    city: httpx.AsyncClient, plant: dict[str, Any], case: str, change: dict[str, Any], field: str, expected: str
) -> None:
    facility = plant[change.pop("facility", "dryer")]
    body = {"facility_id": facility["id"], "name": f"{facility['name']}-风机", "role": "production", **change}
    reply = await city.post(f"/enterprises/{plant['ps_id']}/points", json=body)
    assert reply.status_code == 422, f"{case}: {reply.text}"
    problems = reply.json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field] and expected in problems[0]["message"], problems


async def test_a_device_channel_belongs_to_one_point_and_a_device_to_one_enterprise(
    city: httpx.AsyncClient, build: Builder, plant: dict[str, Any]
) -> None:
    mn = _mn()
    await build.point(plant["ps_id"], plant["dryer"], "喷雾干燥塔-热风机", mn=mn, factor_code="d20501")
    body = {"facility_id": plant["dryer"]["id"], "name": "喷雾干燥塔-给料泵", "role": "production"}
    same_channel = await city.post(
        f"/enterprises/{plant['ps_id']}/points", json={**body, "mn": mn, "factor_code": "d20501"}
    )
    assert same_channel.status_code == 409 and "喷雾干燥塔-热风机" in same_channel.json()["error"]["message"]
    other = (await build.enterprise())["ps_id"]
    kiln = await build.facility(other, "烧成窑")
    foreign = await city.post(
        f"/enterprises/{other}/points",
        json={
            "facility_id": kiln["id"],
            "name": "烧成窑-助燃风机",
            "role": "production",
            "mn": mn,
            "factor_code": "d20502",
        },
    )
    assert foreign.status_code == 409 and plant["ps_id"] in foreign.json()["error"]["message"]


async def test_a_point_name_is_unique_within_the_enterprise(
    city: httpx.AsyncClient, build: Builder, plant: dict[str, Any]
) -> None:
    await build.point(plant["ps_id"], plant["dryer"], "喷雾干燥塔-热风机")
    body = {"facility_id": plant["dryer"]["id"], "name": "喷雾干燥塔-热风机", "role": "production"}
    reply = await city.post(f"/enterprises/{plant['ps_id']}/points", json=body)
    assert reply.status_code == 409


async def test_a_facility_of_another_enterprise_cannot_carry_the_point(
    city: httpx.AsyncClient, build: Builder, plant: dict[str, Any]
) -> None:
    other = (await build.enterprise())["ps_id"]
    body = {"facility_id": plant["dryer"]["id"], "name": "喷雾干燥塔-热风机", "role": "production"}
    reply = await city.post(f"/enterprises/{other}/points", json=body)
    assert reply.status_code == 422
    assert "不属于本企业" in reply.json()["error"]["problems"][0]["message"]


async def test_a_threshold_correction_is_checked_against_the_rating(
    city: httpx.AsyncClient, build: Builder, plant: dict[str, Any]
) -> None:
    point = await build.point(plant["ps_id"], plant["dryer"], "喷雾干燥塔-热风机", rated_kw=75)
    bad = await city.patch(f"/points/{point['id']}", json={"threshold_kw": 80})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["field"] == "threshold_kw"
    ok = await city.patch(f"/points/{point['id']}", json={"threshold_kw": 12.5, "threshold_source": "manual"})
    assert ok.status_code == 200 and (ok.json()["threshold_kw"], ok.json()["threshold_source"]) == (12.5, "manual")
