"""A record the province refuses as invalid goes to the operators' dead-letter list, with the province's
reply, after `invalid_max_attempts` tries — and holds up nobody else, nor its own enterprise for good."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import Bridge, Eventually, Province, RecordFactory


async def test_an_invalid_record_is_dead_lettered_without_blocking_the_others(
    bridge: Bridge, province: Province, make_record: RecordFactory, eventually: Eventually
) -> None:
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    a1, a2, a3 = make_record(a), make_record(a, remark="   "), make_record(a)  # a2: no judgement basis
    b1, b2 = make_record(b), make_record(b)
    for record in (a1, a2, b1, a3, b2):
        await bridge.post_record(record)
    sender = bridge.sender()

    async def settled() -> bool:
        await sender.drain_until_idle()
        backlog: int = (await bridge.status())["abnormal"]["backlog"]
        return backlog == 0

    await eventually(settled, timeout=10)

    first = province.state.store.requests[0]
    assert (first.items, first.success) == (5, False) and "remark" in first.msg  # the whole batch was refused

    def points(ps_id: str) -> list[str]:
        return [r["treatmentAmmeterId"] for r in province.arrivals(ps_id)]

    assert points(a) == [a1["treatment_point_id"], a3["treatment_point_id"]]  # a3 waited behind a2, then went
    assert points(b) == [b1["treatment_point_id"], b2["treatment_point_id"]]
    arrival_order = [item["treatmentAmmeterId"] for _endpoint, item, _at in province.state.store.arrivals]
    assert arrival_order.index(b2["treatment_point_id"]) < arrival_order.index(a3["treatment_point_id"])
    assert all(r["_reports"] == 1 for r in province.records(a) + province.records(b))

    reply = await bridge.api(Role.CITY).get("/dead-letters")
    [letter] = [d for d in reply.json() if d["ps_id"] == a]
    assert letter["record_id"] == a2["id"] and letter["rejections"] == 3
    assert "remark" in letter["error"] and json.loads(letter["reply"])["success"] is False
    assert letter["body"]["treatmentAmmeterId"] == a2["treatment_point_id"]
    status = await bridge.status()
    assert status["abnormal"]["dead_letters"] == 1 and status["abnormal"]["consecutive_failures"] == 0

    # The operator puts it back once the cause is fixed; it goes alone and is refused again here.
    city = bridge.api(Role.CITY)
    requeued = await city.post(f"/dead-letters/{letter['seq']}/retry")
    assert requeued.status_code == 200, requeued.text
    assert (await bridge.status())["abnormal"]["backlog"] == 1
    assert (await city.post(f"/dead-letters/{letter['seq']}/retry")).status_code == 404
    await eventually(settled, timeout=10)
    assert (await bridge.status())["abnormal"]["dead_letters"] == 1


async def test_a_record_that_cannot_be_written_in_the_interfaces_format_is_a_dead_letter_at_once(
    bridge: Bridge, province: Province, make_record: RecordFactory
) -> None:
    ps_id = uuid.uuid4().hex
    record = make_record(ps_id, treatment_point_id=None, treatment_point_ids=[])
    arrival = await bridge.post_record(record)
    assert arrival["outbox"] == "unmappable"
    await bridge.sender().drain_until_idle()
    assert province.state.store.requests == []
    city = bridge.api(Role.CITY)
    [letter] = [d for d in (await city.get("/dead-letters")).json() if d["ps_id"] == ps_id]
    assert letter["body"] is None and "treatmentAmmeterId" in letter["error"]
    retry = await city.post(f"/dead-letters/{letter['seq']}/retry")
    assert retry.status_code == 422 and retry.json()["error"]["code"] == "payload_invalid"

    # A corrected version from the rules replaces it and is pushed.
    await bridge.post_record({**record, "version": 2, "treatment_point_id": "tp-fixed"})
    await bridge.sender().drain_until_idle()
    assert [r["treatmentAmmeterId"] for r in province.records(ps_id)] == ["tp-fixed"]
    assert await bridge.outbox_states(record["id"]) == [(1, "superseded"), (2, "sent")]
