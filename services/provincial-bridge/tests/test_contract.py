"""Contract tests against the strict simulated province, over real HTTP: what the rules service posts to the
bridge arrives at the province field by field, in the interface's formats, on the right endpoint."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Bridge, BridgeFactory, Province, RecordFactory


async def test_a_treatment_abnormal_arrives_field_by_field(
    bridge: Bridge, province: Province, make_record: RecordFactory
) -> None:
    ps_id = uuid.uuid4().hex
    # The interface's own example: 2019-10-21 23:15:00 → 2019-10-22 01:00:00 CST carries exDay 2019-10-22.
    record = make_record(
        ps_id,
        start="2019-10-21T15:15:00Z",
        end="2019-10-21T17:00:00Z",
        treatment_point_id="tp-main",
        treatment_point_ids=["tp-main", "tp-standby"],
        production_threshold_kw=10.0,
        treatment_threshold_kw=12.5,
        judgement_minutes=15,
    )
    arrival = await bridge.post_record(record)
    assert arrival == {"id": record["id"], "version": 1, "accepted": True, "outbox": "queued", "detail": None}
    assert await bridge.sender().drain_until_idle() == 1

    assert [r.success for r in province.state.store.requests] == [True]
    [held] = province.records(ps_id)
    assert held == {
        "psId": ps_id,
        "exDay": "2019-10-22",
        "productorEquipId": record["production_facility_id"],
        "treatmentId": record["treatment_facility_id"],
        "treatmentAmmeterId": "tp-main",
        "treatmentAmmeterIds": "tp-main,tp-standby",
        "exTimeStart": "2019-10-21 23:15:00",
        "exTimeEnd": "2019-10-22 01:00:00",
        "productorEquipThreshold": "10",
        "treatmentAmmeterThreshold": "12.5",
        "treatmentAmmeterThresholdTime": 15,
        "remark": record["remark"],
        "_reports": 1,
    }
    status = await bridge.status()
    assert status["abnormal"]["backlog"] == 0 and status["abnormal"]["last_success_at"] is not None


@pytest.mark.parametrize("record_type", ["stop_violation", "limit_violation", "offpeak_violation"])
async def test_control_violations_arrive_at_the_limit_endpoint(
    bridge: Bridge, province: Province, make_limit: RecordFactory, record_type: str
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_limit(ps_id, type=record_type, start="2026-03-01T00:00:00Z", end="2026-03-01T01:30:00Z")
    await bridge.post_record(record)
    await bridge.sender().drain_until_idle()
    assert province.records(ps_id, endpoint="abnormal") == []
    assert province.records(ps_id, endpoint="limit") == [
        {
            "psId": ps_id,
            "exDay": "2026-03-01",
            "productorEquipId": record["production_facility_id"],
            "exTimeStart": "2026-03-01 08:00:00",
            "exTimeEnd": "2026-03-01 09:30:00",
            "remark": record["remark"],
            "_reports": 1,
        }
    ]


async def test_records_go_in_batches_as_json_arrays(
    bridge_factory: BridgeFactory, province: Province, make_record: RecordFactory, make_limit: RecordFactory
) -> None:
    ps_ids = [uuid.uuid4().hex for _ in range(3)]
    async with bridge_factory(province_base_url=province.url, outbox_batch_size=3) as bridge:
        for i in range(7):
            await bridge.post_record(make_record(ps_ids[i % 3]))
        await bridge.post_record(make_limit(ps_ids[0]))
        assert await bridge.sender().drain_until_idle() == 8
    sizes = [(r.endpoint, r.items) for r in province.state.store.requests]
    assert [n for endpoint, n in sizes if endpoint == "abnormal"] == [3, 3, 1]
    assert [n for endpoint, n in sizes if endpoint == "limit"] == [1]
    assert sum(len(province.records(p)) for p in ps_ids) == 8


async def test_thresholds_with_decimals_and_whole_numbers_pass_the_strict_province(
    bridge: Bridge, province: Province, make_record: RecordFactory
) -> None:
    ps_id = uuid.uuid4().hex
    for production, treatment in [(0.0, 0.25), (123.4567, 80.0), (1000, 0.001)]:
        await bridge.post_record(
            make_record(ps_id, production_threshold_kw=production, treatment_threshold_kw=treatment)
        )
    await bridge.sender().drain_until_idle()
    assert sorted((r["productorEquipThreshold"], r["treatmentAmmeterThreshold"]) for r in province.records(ps_id)) == [
        ("0", "0.25"),
        ("1000", "0.001"),
        ("123.457", "80"),
    ]
