"""GET /devices: each point with its own judgement time (治理设施判定时长), what the simulator's truth judges by."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from conftest import Builder


async def test_each_point_lists_its_own_judgement_minutes(city: httpx.AsyncClient, build: Builder) -> None:
    """A dust collector's fan judged after 20 min (the province's treatmentAmmeterThresholdTime); the kiln
    keeps the default 15."""
    ps_id = (await build.enterprise())["ps_id"]
    kiln = await build.facility(ps_id, "1#隧道窑")
    bag = await build.facility(ps_id, "1#隧道窑布袋除尘器", "treatment")
    mn = uuid.uuid4().hex[:24].upper()
    await build.point(ps_id, kiln, "1#隧道窑-主电机", mn=mn, factor_code="d20501")
    await build.point(ps_id, bag, "1#隧道窑布袋除尘器-引风机", mn=mn, factor_code="d30501", judgement_minutes=20)
    reply = await city.get("/devices", params={"ps_id": ps_id})
    assert reply.status_code == 200, reply.text
    (device,) = reply.json()
    minutes = {p["name"]: p["judgement_minutes"] for p in device["points"]}
    assert minutes == {"1#隧道窑-主电机": 15, "1#隧道窑布袋除尘器-引风机": 20}
