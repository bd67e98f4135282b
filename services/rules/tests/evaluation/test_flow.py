"""Readings stored → notification → evaluation → record → workflow, against the real registry and database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fbjd_core.auth import Role
from fbjd_core.time import now

CONTRACT_FIELDS = {
    "id",
    "version",
    "type",
    "ps_id",
    "enterprise_name",
    "county",
    "industry",
    "production_facility_id",
    "production_facility_name",
    "treatment_facility_id",
    "treatment_facility_name",
    "treatment_point_id",
    "treatment_point_ids",
    "start",
    "end",
    "ongoing",
    "duration_minutes",
    "grade",
    "production_threshold_kw",
    "treatment_threshold_kw",
    "judgement_minutes",
    "limit_ratio",
    "remark",
    "status",
}


async def test_treatment_off_for_20_minutes_becomes_a_record_and_reaches_workflow(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (20, 1.0), (40, 30.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    assert record["type"] == "treatment_abnormal" and record["status"] == "open" and record["version"] == 1
    assert record["start"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    assert record["duration_minutes"] == 20 and record["county"] == "130902"
    assert record["production_facility_id"] == plant.facilities["kiln"]["id"]
    assert record["treatment_point_ids"] == [plant.points["fan"]["id"]]
    (sent,) = workflow.of(plant.ps_id)
    assert set(sent) == CONTRACT_FIELDS and sent["id"] == record["id"] and sent["version"] == 1
    assert sent["start"].endswith("Z") and sent["status"] == "open" and sent["treatment_threshold_kw"] == 5.0
    (pushed,) = [body for body in workflow.bridge_received if body["ps_id"] == plant.ps_id]
    assert pushed == sent, "the province's bridge gets the same record version, in real time"


async def test_a_resend_of_the_same_readings_changes_nothing(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (20, 1.0), (40, 30.0)])
    await flow.notify(plant, start, end)
    first = await flow.settled(plant.ps_id)
    await plant.power("fan", start, [(30, 30.0), (20, 1.0), (40, 30.0)])
    await flow.notify(plant, start, end)
    assert await flow.settled(plant.ps_id) == first and len(workflow.of(plant.ps_id)) == 1


async def test_late_data_after_the_record_was_closed_corrects_it_in_place(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    """The fan's data from minute 50 to 70 arrives an hour late: off until 65. Same record, end moved, v2."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(120, 80.0)])
    await plant.power("fan", start, [(30, 30.0), (20, 1.0)])
    await plant.power("fan", start + timedelta(minutes=70), [(50, 30.0)])
    await flow.notify(plant, start, start + timedelta(minutes=120))
    (first,) = await flow.settled(plant.ps_id)
    assert first["duration_minutes"] == 20 and not first["ongoing"]
    await plant.power("fan", start + timedelta(minutes=50), [(15, 1.0), (5, 30.0)])
    await flow.notify(plant, start + timedelta(minutes=50), start + timedelta(minutes=70))
    (second,) = await flow.settled(plant.ps_id)
    assert (second["id"], second["version"], second["duration_minutes"]) == (first["id"], 2, 35)
    assert [(m["version"], m["duration_minutes"]) for m in workflow.of(plant.ps_id)] == [(1, 20), (2, 35)]


async def test_late_standby_data_shows_there_was_no_abnormal_and_withdraws_the_record(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    """The standby fan's terminal was offline: judged on the main fan alone, a record. When the standby's
    history arrives it shows the standby ran while the main was off (main/standby switching): withdrawn."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter(standby_group="引风机")
        await plant.point("standby", "bag", "1#隧道窑布袋除尘器-备用引风机", threshold_kw=5.0, standby_group="引风机")
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (30, 0.5), (30, 30.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    await plant.power("standby", start, [(30, 0.2), (30, 28.0), (30, 0.2)])
    await flow.notify(plant, start, end)
    (withdrawn,) = await flow.settled(plant.ps_id)
    assert (withdrawn["id"], withdrawn["status"], withdrawn["version"]) == (record["id"], "withdrawn", 2)
    assert [m["status"] for m in workflow.of(plant.ps_id)] == ["open", "withdrawn"]


async def test_a_threshold_changed_mid_week_does_not_rewrite_last_weeks_records(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    """The fan draws 8 kW throughout. Threshold 5 kW (on) until the change, 10 kW (off) after it."""
    changed_at = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    with registry_at(now() - timedelta(days=2)):
        await plant.kiln_and_bag_filter()
    city = clients("registry", Role.CITY)
    with registry_at(changed_at):
        reply = await city.patch(f"/points/{plant.points['fan']['id']}", json={"threshold_kw": 10.0})
        assert reply.status_code == 200, reply.text
    start = changed_at - timedelta(hours=3)
    await plant.power("kiln", start, [(240, 80.0)], interval=5)
    _, end = await plant.power("fan", start, [(240, 8.0)], interval=5)
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    assert record["start"].startswith(changed_at.strftime("%Y-%m-%dT%H:%M")) and record["treatment_threshold_kw"] == 10


async def test_only_the_ingest_service_may_notify(clients: Any) -> None:
    city: httpx.AsyncClient = clients("rules", Role.CITY)
    reply = await city.post("/notifications/readings", json={"windows": []})
    assert reply.status_code == 403
