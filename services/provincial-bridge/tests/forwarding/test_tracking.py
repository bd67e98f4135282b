"""How far the cursor may move in a round (pure): over the receipts answered without a gap, never past one
that is still waiting for its 9014."""

from __future__ import annotations

from fbjd_bridge.forwarding.tracking import AckTracker


def sent(tracker: AckTracker, *packets_per_receipt: int) -> list[list[tuple[str, str]]]:
    """Receipts of MN "A" with so many packets each, all sent at t=0; their (MN, QN) per receipt."""
    keys: list[list[tuple[str, str]]] = []
    qn = 0
    for packets in packets_per_receipt:
        index = tracker.add_receipt(packets)
        keys.append([])
        for _ in range(packets):
            qn += 1
            tracker.expect(index, "A", str(qn), sent_at=0.0)
            keys[-1].append(("A", str(qn)))
    return keys


def test_answers_out_of_order_move_the_cursor_only_over_the_gapless_prefix() -> None:
    tracker = AckTracker()
    first, second, third = sent(tracker, 1, 1, 1)
    assert tracker.acknowledge(*third[0]) and tracker.acknowledge(*second[0])
    assert tracker.prefix() == 0  # the first is still waiting: nothing may be passed over
    assert tracker.acknowledge(*first[0])
    assert tracker.prefix() == 3 and tracker.complete() and tracker.outstanding == 0


def test_a_split_receipt_counts_once_every_part_is_answered() -> None:
    tracker = AckTracker()
    [part1, part2], [single] = sent(tracker, 2, 1)
    tracker.acknowledge(*part1)
    tracker.acknowledge(*single)
    assert tracker.prefix() == 0 and tracker.outstanding == 1
    tracker.acknowledge(*part2)
    assert tracker.prefix() == 2


def test_a_receipt_without_packets_does_not_hold_the_cursor() -> None:
    tracker = AckTracker()
    [only], _unforwardable, [last] = sent(tracker, 1, 0, 1)
    tracker.acknowledge(*only)
    assert tracker.prefix() == 2
    tracker.acknowledge(*last)
    assert tracker.complete()


def test_an_answer_to_nothing_of_the_round_is_ignored() -> None:
    tracker = AckTracker()
    [[packet]] = sent(tracker, 1)
    assert not tracker.acknowledge("A", "999")  # a late answer to an earlier connection's packet
    assert not tracker.acknowledge("B", packet[1])  # the same QN from another MN
    assert tracker.acknowledge(*packet)
    assert not tracker.acknowledge(*packet)  # the upstream answered twice
    assert tracker.prefix() == 1


def test_the_oldest_unanswered_packet_sets_the_deadline() -> None:
    tracker = AckTracker()
    index = tracker.add_receipt(2)
    tracker.expect(index, "A", "1", sent_at=5.0)
    tracker.expect(index, "A", "2", sent_at=7.0)
    assert tracker.oldest_sent_at() == 5.0
    tracker.acknowledge("A", "1")
    assert tracker.oldest_sent_at() == 7.0
    tracker.acknowledge("A", "2")
    assert tracker.oldest_sent_at() is None
