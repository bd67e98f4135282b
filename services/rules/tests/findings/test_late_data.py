"""Device findings made while data was missing, withdrawn when the late data shows the terminal was fine.

Like an abnormal record made on incomplete data, such a finding is corrected, never doubled: the same finding
gets a new version with status `withdrawn` and the reason, and the workflow's maintenance intake receives
that version too (its ticket closes).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.time import now

from .test_device import findings_of, rows


async def _pushed(workflow: Any, flow: Any, ps_id: str, versions: int) -> list[dict[str, Any]]:
    await flow.settled(ps_id)
    for _ in range(100):
        if len(workflow.findings_of(ps_id)) >= versions:
            break
        await asyncio.sleep(0.05)
    received: list[dict[str, Any]] = workflow.findings_of(ps_id)
    return received


def _power(plant: Any, start: datetime, values: list[float], **extra: Any) -> list[tuple[Any, ...]]:
    code = plant.points["kiln"]["factor_code"]
    return rows(plant, "kiln", start, values, quantity="active_power_kw", code=code, **extra)


async def test_a_terminal_silent_for_40_minutes_whose_history_then_arrives_is_withdrawn(
    plant: Any, flow: Any, workflow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    last = (now() - timedelta(minutes=40)).replace(second=0, microsecond=0)
    await plant.write(_power(plant, last - timedelta(minutes=5), [50.0, 51.0, 52.0, 51.0, 50.0, 51.0]))
    await flow.notify(plant, last - timedelta(minutes=5), last)
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.offline_terminals() >= 1
    (opened,) = await _pushed(workflow, flow, plant.ps_id, 1)
    assert (opened["kind"], opened["status"], opened["version"]) == ("terminal_offline", "open", 1)

    history = [50.0 + i % 3 for i in range(40)]  # the 40 minutes the terminal buffered, resent
    await plant.write(_power(plant, last + timedelta(minutes=1), history))
    await flow.notify(plant, last + timedelta(minutes=1), last + timedelta(minutes=40))
    _, withdrawn = await _pushed(workflow, flow, plant.ps_id, 2)
    assert (withdrawn["id"], withdrawn["version"], withdrawn["status"]) == (opened["id"], 2, "withdrawn")
    (finding,) = await findings_of(clients, plant, "terminal_offline")
    assert finding["status"] == "withdrawn" and "补传" in finding["status_reason"]


async def test_a_value_stuck_only_because_its_samples_were_missing_is_withdrawn_when_they_arrive(
    plant: Any, flow: Any, workflow: Any, clients: Any, registry_at: Any
) -> None:
    """The kiln's power channel sent 37.5 kW for 10 minutes before and 20 minutes after a gap of 4 h 50 min
    while its current moved: exactly constant for over 5 hours as far as anyone could tell. Then the missing
    samples arrive, and the power moved all along."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=6)).replace(second=0, microsecond=0)
    current = rows(plant, "kiln", start, [60.0 + i % 7 for i in range(330)], quantity="current_a", code="ia")
    early = _power(plant, start, [40.0] * 10 + [37.5] * 10)
    late = _power(plant, start + timedelta(minutes=310), [37.5] * 20)
    await plant.write(current + early + late)
    await flow.notify(plant, start, start + timedelta(minutes=330))
    (stuck,) = await _pushed(workflow, flow, plant.ps_id, 1)
    assert (stuck["kind"], stuck["version"]) == ("value_stuck", 1)

    moving = [38.0 + (i % 5) for i in range(290)]
    await plant.write(_power(plant, start + timedelta(minutes=20), moving))
    await flow.notify(plant, start + timedelta(minutes=20), start + timedelta(minutes=310))
    _, withdrawn = await _pushed(workflow, flow, plant.ps_id, 2)
    assert (withdrawn["id"], withdrawn["version"], withdrawn["status"]) == (stuck["id"], 2, "withdrawn")
    (finding,) = await findings_of(clients, plant, "value_stuck")
    assert finding["status"] == "withdrawn" and "补传" in finding["status_reason"]


async def test_a_power_off_told_by_two_lost_samples_around_a_gap_is_withdrawn_when_the_gap_shows_voltage(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    voltage = [220.0] * 30 + [0.0] + [float("nan")] * 5 + [0.0] + [220.0] * 30
    sent = [r for r in rows(plant, "fan", start, voltage, quantity="voltage_v", code="a01") if r[6] == r[6]]
    await plant.write(sent)
    await flow.notify(plant, start, start + timedelta(minutes=67))
    await flow.settled(plant.ps_id)
    (opened,) = await findings_of(clients, plant, "power_off")
    assert opened["status"] == "resolved"

    gap = rows(plant, "fan", start + timedelta(minutes=31), [221.0] * 5, quantity="voltage_v", code="a01")
    await plant.write(gap)
    await flow.notify(plant, start + timedelta(minutes=31), start + timedelta(minutes=36))
    await flow.settled(plant.ps_id)
    (finding,) = await findings_of(clients, plant, "power_off")
    assert (finding["id"], finding["status"], finding["version"]) == (opened["id"], "withdrawn", 2)
