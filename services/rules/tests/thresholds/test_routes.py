"""Learning thresholds from stored readings, and accepting a proposal into the registry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now


async def _fortnight_of_shifts(plant: Any) -> None:
    """16 days of 5-minute data up to the last full hour: the fan on 45 kW for 16 hours a day, 2 kW otherwise."""
    start = (now() - timedelta(days=16)).replace(minute=0, second=0, microsecond=0)
    steps = [(360, 2.0), (960, 45.0), (120, 2.0)] * 16
    await plant.power("fan", start, steps, interval=5)


async def test_learn_then_accept_makes_it_the_points_threshold(plant: Any, clients: Any, registry_at: Any) -> None:
    with registry_at(now() - timedelta(days=20)):
        await plant.kiln_and_bag_filter()
    await _fortnight_of_shifts(plant)
    rules = clients("rules", Role.CITY)
    reply = await rules.post("/thresholds/learn", json={"ps_id": plant.ps_id})
    assert reply.status_code == 201, reply.text
    (proposal,) = reply.json()
    assert proposal["point_id"] == plant.points["fan"]["id"] and proposal["estimate"] == "learned"
    assert 2.0 < proposal["learned_kw"] < 45.0 and proposal["confidence"] > 0.8 and proposal["declared_kw"] == 5.0
    listed = (await rules.get("/thresholds/proposals", params={"ps_id": plant.ps_id})).json()
    assert [p["id"] for p in listed] == [proposal["id"]]

    enterprise = clients("rules", Role.ENTERPRISE, enterprise_id=plant.ps_id)
    assert (await enterprise.post(f"/thresholds/proposals/{proposal['id']}/accept")).status_code == 403
    accepted = await rules.post(f"/thresholds/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["decided_by"] == "city:tester"
    point = (await clients("registry", Role.CITY).get(f"/points/{plant.points['fan']['id']}")).json()
    assert (point["threshold_kw"], point["threshold_source"]) == (proposal["learned_kw"], "learned")
    again = await rules.post(f"/thresholds/proposals/{proposal['id']}/accept")
    assert again.status_code == 409


async def test_a_point_with_too_little_data_gets_no_proposal(plant: Any, clients: Any, registry_at: Any) -> None:
    with registry_at(now() - timedelta(days=20)):
        await plant.kiln_and_bag_filter()
    await plant.power("fan", now() - timedelta(days=3), [(360, 2.0), (960, 45.0)] * 2, interval=5)
    reply = await clients("rules", Role.CITY).post("/thresholds/learn", json={"ps_id": plant.ps_id})
    assert reply.status_code == 201 and reply.json() == []
