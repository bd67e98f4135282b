"""The sweep: a silent terminal becomes an offline finding, closed when its data comes again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now


async def test_a_silent_terminal_is_offline_until_its_data_comes_again(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    last = now() - timedelta(hours=1)
    await flow.notify(plant, last - timedelta(minutes=5), last)
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.offline_terminals() >= 1
    city = clients("rules", Role.CITY)
    (finding,) = (await city.get("/findings", params={"ps_id": plant.ps_id, "kind": "terminal_offline"})).json()
    assert finding["status"] == "open" and finding["subject"] == plant.mn and finding["county"] == "130902"
    await flow.notify(plant, now() - timedelta(minutes=1), now())
    (closed,) = (await city.get("/findings", params={"ps_id": plant.ps_id, "kind": "terminal_offline"})).json()
    assert closed["status"] == "resolved" and closed["end_at"] is not None
