"""The sweep: what time alone changes (an ongoing record whose data stopped; a control period that began)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import fixed_clock, now


async def test_an_ongoing_record_whose_data_stopped_is_closed_by_the_sweep(
    plant: Any, flow: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(minutes=62)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(60, 80.0)])
    _, end = await plant.power("fan", start, [(30, 30.0), (30, 1.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    assert record["ongoing"] and record["version"] == 1
    later = now() + timedelta(minutes=30)
    with fixed_clock(lambda: later):  # half an hour on, nothing more came
        assert await flow.app.state.sweep.close_stale_ongoing() >= 1
        (closed,) = await flow.settled(plant.ps_id)
    assert (closed["id"], closed["ongoing"], closed["version"], closed["end"]) == (
        record["id"],
        False,
        2,
        record["end"],
    )


async def test_a_control_period_that_began_re_judges_the_enterprises_it_covers(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    """The data was judged before the period existed; the period (issued late, starting earlier) makes the
    kiln's running a stop violation once the sweep notices it."""
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    registry = clients("registry", Role.CITY)
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
        plan = {
            "name": "一厂一策（橙色）",
            "measures": [{"facility_id": plant.facilities["kiln"]["id"], "action": "stop"}],
        }
        assert (await registry.put(f"/enterprises/{plant.ps_id}/control-plans/orange", json=plan)).status_code == 200
    await plant.power("kiln", start, [(100, 80.0)])
    _, end = await plant.power("fan", start, [(100, 30.0)])
    await flow.notify(plant, start, end)
    assert await flow.settled(plant.ps_id) == []
    period = {
        "name": "沧州市重污染天气橙色预警（补发）",
        "level": "orange",
        "counties": ["130902"],
        "industries": ["新型建材"],
        "starts_at": (start + timedelta(minutes=40)).isoformat(),
        "ends_at": (now() + timedelta(minutes=10)).isoformat(),
    }
    assert (await registry.post("/control-periods", json=period)).status_code == 201
    assert await flow.app.state.sweep.control_periods_started() >= 1
    (record,) = await flow.settled(plant.ps_id)
    assert record["type"] == "stop_violation" and record["duration_minutes"] == 60, (record, start)


async def test_data_stored_without_a_notification_is_caught_up_by_the_sweep(
    plant: Any, flow: Any, registry_at: Any
) -> None:
    """Ingest crashed after storing the readings and before telling rules: the sweep finds them by received_at."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(90, 80.0)])
    await plant.power("fan", start, [(30, 30.0), (20, 1.0), (40, 30.0)])
    assert await flow.app.state.sweep.catch_up() >= 1
    (record,) = await flow.settled(plant.ps_id)
    assert record["type"] == "treatment_abnormal" and record["duration_minutes"] == 20
    assert await flow.app.state.sweep.catch_up() == 0  # evaluated after it arrived: nothing more to do
