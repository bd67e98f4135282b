"""The outbox's pure rules: which rows make a batch, and how long a failing province is left alone."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from fbjd_bridge.outbox.models import OutboxRow
from fbjd_bridge.outbox.service import backoff_delay, by_enterprise, choose_batch

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def row(seq: int, ps_id: str, *, suspect: bool = False) -> OutboxRow:
    return OutboxRow(
        seq=seq,
        record_id=uuid.uuid4(),
        version=1,
        ps_id=ps_id,
        endpoint="abnormal",
        body={},
        state="pending",
        suspect=suspect,
        rejections=0,
        created_at=T0,
        next_attempt_at=T0,
    )


def test_a_batch_keeps_arrival_order_up_to_the_limit() -> None:
    rows = [row(1, "a"), row(2, "b"), row(3, "a"), row(4, "c")]
    assert [r.seq for r in choose_batch(rows, limit=3)] == [1, 2, 3]


def test_a_suspect_travels_alone_and_its_enterprise_waits_behind_it() -> None:
    rows = [row(1, "a", suspect=True), row(2, "b"), row(3, "a")]
    assert [r.seq for r in choose_batch(rows, limit=10)] == [1]
    rows = [row(1, "b"), row(2, "a", suspect=True), row(3, "a"), row(4, "c")]
    assert [r.seq for r in choose_batch(rows, limit=10)] == [1, 4]


def test_outcomes_are_grouped_per_enterprise() -> None:
    rows = [row(1, "b"), row(2, "a"), row(3, "b")]
    assert list(by_enterprise(rows)) == [("a", [2]), ("b", [1, 3])]


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for failures, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 600.0), (500, 600.0)]:
        for _ in range(50):
            delay = backoff_delay(failures, base_s=2.0, max_s=600.0, rng=rng).total_seconds()
            assert ceiling / 2 <= delay <= ceiling
    spread = {backoff_delay(4, base_s=2.0, max_s=600.0, rng=rng).total_seconds() for _ in range(20)}
    assert len(spread) > 10  # jittered: processes retrying after one outage do not knock together
