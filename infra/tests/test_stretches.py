"""A treatment-off stretch as minute packets: production on throughout, the treatment off only where asked,
every packet its own QN, each frame a valid HJ 212 2051 the codec reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fbjd_infra.simulators.stretches import linked_pairs, minute_frames, treatment_off
from hj212 import FrameDecoder, parse_message

KILN, FILTER = "kiln", "filter"


def _point(code: str, role: str, facility: str | None, linked: list[str], threshold: float | None) -> dict[str, Any]:
    return {
        "factor_code": code,
        "role": role,
        "facility": {"id": facility} if facility else None,
        "linked_facilities": [{"id": f} for f in linked],
        "rated_kw": 75.0,
        "threshold_kw": threshold,
    }


DEVICE = {
    "mn": "AF1334F918D412144AB47B98",
    "demo_password": "123456",
    "points": [
        _point("e1-p", "production", KILN, [FILTER], 10.0),
        _point("e2-p", "treatment", FILTER, [], 5.0),
        _point("e3-p", "total_line", None, [], None),
    ],
}


def test_the_production_facility_and_its_first_linked_treatment_facility_are_the_pair() -> None:
    assert [(p["id"], t["id"]) for p, t in linked_pairs(DEVICE)] == [(KILN, FILTER)]
    assert linked_pairs({"points": [_point("e2-p", "treatment", FILTER, [], 5.0)]}) == []


def test_treatment_off_for_minutes_10_to_29_production_on_throughout_other_points_silent() -> None:
    packets = treatment_off(DEVICE, KILN, FILTER, datetime(2026, 11, 25, 8, 0), minutes=40, off=range(10, 30))
    assert len(packets) == 40 and packets[10][0] == datetime(2026, 11, 25, 8, 10)
    off = [minute for minute, (_t, factors) in enumerate(packets) if factors["e2-p"]["Avg"] == "0.00"]
    assert off == list(range(10, 30))
    assert all(float(factors["e1-p"]["Avg"]) >= 30.0 for _t, factors in packets), "three times its threshold"
    assert all(set(factors) == {"e1-p", "e2-p"} for _t, factors in packets)


def test_each_frame_is_a_2051_with_its_own_qn_that_the_codec_reads_back() -> None:
    packets = treatment_off(DEVICE, KILN, FILTER, datetime(2026, 11, 25, 8, 0), minutes=3, off=range(1, 2))
    frames = minute_frames(DEVICE, packets, sent_at=datetime(2026, 11, 25, 12, 0))
    decoder = FrameDecoder()
    decoder.feed(b"".join(frame for _qn, frame in frames))
    messages = [parse_message(event.segment) for event in decoder.events()]
    assert [m.qn for m in messages] == [qn for qn, _frame in frames] and len({m.qn for m in messages}) == 3
    assert {(m.cn, m.st, m.mn, m.pw) for m in messages} == {("2051", "44", DEVICE["mn"], "123456")}
    assert messages[1].cp.params["DataTime"] == "20261125080100"
    assert messages[1].cp.factors["e2-p"]["Avg"] == "0.00"
