"""A point's daily transmission rate below 90 %, then the terminal's backfill of the missing minutes: the same
finding is corrected while the rate stays below (a new version with the new rate) and withdrawn once it reaches
90 %; never a second finding, and the workflow's maintenance intake receives its versions in order, the last
one withdrawn (a version superseded while it waited in the outbox is not sent)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.time import now, to_cst

from .test_device import findings_of, rows


async def _versions(workflow: Any, ps_id: str, version: int) -> list[dict[str, Any]]:
    """What the maintenance intake received of the enterprise's transmission findings, once `version` is there."""
    for _ in range(100):
        received = [f for f in workflow.findings_of(ps_id) if f["kind"] == "transmission_low"]
        if any(f["version"] >= version for f in received):
            return received
        await asyncio.sleep(0.05)
    return [f for f in workflow.findings_of(ps_id) if f["kind"] == "transmission_low"]


def _minutes(plant: Any, midnight: datetime, indexes: list[int]) -> list[tuple[Any, ...]]:
    code = plant.points["kiln"]["factor_code"]
    out: list[tuple[Any, ...]] = []
    for i in indexes:
        out += rows(plant, "kiln", midnight + timedelta(minutes=i), [50.0], quantity="active_power_kw", code=code)
    return out


async def test_a_day_at_80_percent_corrected_to_85_then_withdrawn_at_100_by_the_terminals_backfill(
    plant: Any, flow: Any, clients: Any, workflow: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=3)):
        await plant.kiln_and_bag_filter()
    day = to_cst(now()).date() - timedelta(days=1)
    midnight = datetime(day.year, day.month, day.day, tzinfo=to_cst(now()).tzinfo)
    missing = list(range(0, 1440, 5))  # every fifth minute not received: 80 %
    await plant.write(_minutes(plant, midnight, [i for i in range(1440) if i % 5]))
    await flow.notify(plant, midnight, midnight + timedelta(days=1))
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.transmission_rates(day) >= 1
    (first,) = await findings_of(clients, plant, "transmission_low")
    assert (first["status"], first["detail"]["rate"], first["version"]) == ("open", 0.8, 1)

    await plant.write(_minutes(plant, midnight, missing[:72]))  # the first 72 missing minutes arrive: 85 %
    await flow.notify(plant, midnight, midnight + timedelta(minutes=missing[71]))
    await flow.settled(plant.ps_id)
    (corrected,) = await findings_of(clients, plant, "transmission_low")
    assert (corrected["id"], corrected["status"], corrected["detail"]["rate"]) == (first["id"], "open", 0.85)
    assert corrected["version"] == 2 and "85.0%" in corrected["message"]

    await plant.write(_minutes(plant, midnight, missing[72:]))  # the rest: 100 %
    await flow.notify(plant, midnight + timedelta(minutes=missing[72]), midnight + timedelta(days=1))
    await flow.settled(plant.ps_id)
    (withdrawn,) = await findings_of(clients, plant, "transmission_low")
    assert (withdrawn["id"], withdrawn["status"], withdrawn["version"]) == (first["id"], "withdrawn", 3)
    assert "100.0%" in withdrawn["status_reason"] and "撤销" in withdrawn["status_reason"]

    await flow.app.state.sweep.transmission_rates(day)  # the nightly judgement again: nothing changes
    (again,) = await findings_of(clients, plant, "transmission_low")
    assert (again["status"], again["version"]) == ("withdrawn", 3)
    await flow.settled(plant.ps_id)
    pushed = [(p["id"], p["version"], p["status"]) for p in await _versions(workflow, plant.ps_id, 3)]
    assert {p[0] for p in pushed} == {first["id"]}, "one finding, never a second"
    assert pushed[-1] == (first["id"], 3, "withdrawn")  # a version superseded while waiting is not sent
    assert [p[1] for p in pushed] == sorted({p[1] for p in pushed})


async def test_a_rate_below_90_percent_judged_again_by_the_sweep_after_a_backfill_is_withdrawn(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    """The backfill was stored without a notification reaching the rules: the next nightly judgement of the
    day withdraws the finding all the same."""
    with registry_at(now() - timedelta(days=3)):
        await plant.kiln_and_bag_filter()
    day = to_cst(now()).date() - timedelta(days=1)
    midnight = datetime(day.year, day.month, day.day, tzinfo=to_cst(now()).tzinfo)
    await plant.write(_minutes(plant, midnight, [i for i in range(1440) if i % 5]))
    await flow.notify(plant, midnight, midnight + timedelta(days=1))
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.transmission_rates(day) >= 1
    await plant.write(_minutes(plant, midnight, list(range(0, 1440, 5))))
    await flow.app.state.sweep.transmission_rates(day)
    (finding,) = await findings_of(clients, plant, "transmission_low")
    assert finding["status"] == "withdrawn" and finding["version"] == 2
