"""GET /stretches: rule 1 as the data shows it, judged on demand for the province's review (附件4 §4 (1)), against
the real registry and readings; each abnormal stretch names the record that covers it, and nothing is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now

from ..conftest import CANGXIAN


def window(start: Any, end: Any) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


async def judged(client: Any, plant: Any, start: Any, end: Any) -> dict[str, Any]:
    reply = await client.get("/stretches", params={"ps_id": plant.ps_id, **window(start, end)})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def stretches_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [stretch for pair in body["pairs"] for stretch in pair["stretches"]]


async def test_production_on_treatment_off_for_16_min_is_one_abnormal_stretch_with_its_records_id(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (16, 1.0), (44, 30.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)

    body = await judged(clients("rules", Role.SERVICE, subject="bridge"), plant, start, end)
    (pair,) = body["pairs"]
    assert (pair["production_facility_name"], pair["treatment_facility_name"]) == ("1#隧道窑", "1#隧道窑布袋除尘器")
    assert pair["treatment_point_id"] == plant.points["fan"]["id"]
    (stretch,) = pair["stretches"]
    assert (stretch["kind"], stretch["minutes"], stretch["judgement_minutes"]) == ("abnormal", 16, 15)
    assert stretch["record_id"] == record["id"]
    assert stretch["start"] == record["start"] and stretch["end"] == record["end"]
    assert body["from"] and body["to"]


async def test_production_on_treatment_off_for_10_min_is_one_short_stretch(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (10, 1.0), (50, 30.0)])
    await flow.notify(plant, start, end)
    assert await flow.settled(plant.ps_id) == []

    (stretch,) = stretches_of(await judged(clients("rules", Role.CITY), plant, start, end))
    assert (stretch["kind"], stretch["minutes"], stretch["record_id"]) == ("short", 10, None)
    assert stretch["start"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))


async def test_treatment_silent_30_min_while_production_runs_is_one_unknown_stretch(
    plant: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    await plant.power("fan", start, [(30, 30.0)])
    await plant.power("fan", start + timedelta(minutes=60), [(30, 30.0)])

    (stretch,) = stretches_of(await judged(clients("rules", Role.CITY), plant, start, start + timedelta(minutes=90)))
    assert (stretch["kind"], stretch["minutes"], stretch["record_id"]) == ("unknown", 30, None)
    assert stretch["treatment_point_ids"] == [plant.points["fan"]["id"]]


async def test_an_abnormal_the_evaluation_has_not_recorded_has_no_record_and_judging_writes_none(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    """Readings stored but never notified: the data shows an abnormal, no record covers it, and asking makes none."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(120, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (40, 1.0), (50, 30.0)])
    city = clients("rules", Role.CITY)

    (stretch,) = stretches_of(await judged(city, plant, start + timedelta(minutes=40), end))
    assert (stretch["kind"], stretch["minutes"], stretch["record_id"]) == ("abnormal", 40, None)
    assert stretch["start"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))  # judged whole
    inside = start + timedelta(minutes=40), start + timedelta(minutes=50)  # asked about ten minutes of it
    (again,) = stretches_of(await judged(city, plant, *inside))
    assert (again["kind"], again["start"], again["end"]) == ("abnormal", stretch["start"], stretch["end"])
    assert await flow.records(plant.ps_id) == []


async def test_a_county_sees_its_own_enterprises_only_and_the_window_is_bounded(
    plant: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = now() - timedelta(hours=2)
    params = {"ps_id": plant.ps_id, **window(start, now())}
    own = await clients("rules", Role.COUNTY, county="130902").get("/stretches", params=params)
    other = await clients("rules", Role.COUNTY, county=CANGXIAN).get("/stretches", params=params)
    missing = await clients("rules", Role.CITY).get("/stretches", params={**params, "ps_id": "f" * 32})
    enterprise = await clients("rules", Role.ENTERPRISE, enterprise_id=plant.ps_id).get("/stretches", params=params)
    too_long = await clients("rules", Role.CITY).get(
        "/stretches", params={"ps_id": plant.ps_id, **window(now() - timedelta(days=32), now())}
    )
    assert own.status_code == 200, own.text
    assert other.status_code == 404 and missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"  # alike
    assert enterprise.status_code == 403
    assert too_long.status_code == 422
