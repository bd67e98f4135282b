"""`fbjd rules accuracy` with traps in the ground truth: situations that must produce no record. A record that
matches no violation and overlaps a trap of its enterprise (and treatment facility, where the trap names one)
fooled it; the report counts such traps per kind, and the record counts against precision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fbjd_rules.accuracy import main as accuracy_main

DAY = "2026-03-04T"


def _at(hhmm: str) -> str:
    return f"{DAY}{hhmm}:00+08:00"


def _record(start: str, end: str, *, ps_id: str = "ps-1", treatment: str = "bag") -> dict[str, Any]:
    return {
        "type": "treatment_abnormal",
        "ps_id": ps_id,
        "production_facility_id": "kiln",
        "treatment_facility_id": treatment,
        "start": _at(start),
        "end": _at(end),
    }


def _trap(kind: str, start: str, end: str, treatment: str | None = None) -> dict[str, Any]:
    trap = {"kind": kind, "ps_id": "ps-1", "start": _at(start), "end": _at(end)}
    return trap | ({"treatment_facility_id": treatment} if treatment else {})


def _score(tmp_path: Path, truth: dict[str, Any], records: list[dict[str, Any]], capsys: Any) -> dict[str, list[str]]:
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    (tmp_path / "records.json").write_text(json.dumps(records))
    argv = [str(tmp_path / "truth.json"), "--records", str(tmp_path / "records.json"), "--tolerance-minutes", "1"]
    assert accuracy_main(argv) == 0
    return {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}


def _truth(traps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "violations": [_record("10:00", "10:40")],
        "traps": traps,
        "enterprises": ["ps-1", "ps-2"],
        "from": _at("08:00"),
        "to": _at("18:00"),
    }


def test_a_false_record_on_a_trap_counts_the_trap_as_fooled_and_against_precision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 14-min off recorded as an abnormal (inside a resend burst); a record on the bag filter beside a
    straddling spray pump and one of another enterprise during a standby switching fool neither."""
    traps = [
        _trap("resend_burst", "09:00", "13:00"),
        _trap("short_off", "12:00", "12:14"),
        _trap("standby_switching", "14:00", "14:45", "bag"),
        _trap("threshold_straddle", "16:00", "16:30", "spray"),
    ]
    records = [
        _record("10:01", "10:40"),
        _record("12:01", "12:16"),
        _record("16:05", "16:25"),
        _record("14:10", "14:30", ps_id="ps-2"),
    ]
    lines = _score(tmp_path, _truth(traps), records, capsys)
    assert lines["treatment_abnormal"][1:6] == ["1", "4", "1", "100.0%", "25.0%"]
    assert lines["trap"] == ["trap", "traps", "fooled", "false", "records"]
    assert lines["short_off"][1:] == ["1", "1", "1"]
    assert lines["resend_burst"][1:] == ["1", "1", "1"]
    assert lines["standby_switching"][1:] == ["1", "0", "0"]
    assert lines["threshold_straddle"][1:] == ["1", "0", "0"]


def test_a_violation_recorded_twice_in_a_resend_burst_is_found_once_and_the_burst_fooled_the_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traps = [_trap("resend_burst", "09:00", "13:00"), _trap("standby_switching", "14:00", "14:45", "bag")]
    lines = _score(tmp_path, _truth(traps), [_record("10:01", "10:40"), _record("10:01", "10:41")], capsys)
    assert lines["treatment_abnormal"][1:6] == ["1", "2", "1", "100.0%", "50.0%"]
    assert lines["resend_burst"][1:] == ["1", "1", "1"]
    assert lines["standby_switching"][1:] == ["1", "0", "0"]


def test_traps_passed_cleanly_show_zero_fooled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traps = [_trap("resend_burst", "09:00", "13:00"), _trap("short_off", "12:00", "12:14")]
    lines = _score(tmp_path, _truth(traps), [_record("10:01", "10:40")], capsys)
    assert lines["treatment_abnormal"][1:6] == ["1", "1", "1", "100.0%", "100.0%"]
    assert lines["resend_burst"][1:] == ["1", "0", "0"] and lines["short_off"][1:] == ["1", "0", "0"]


def test_a_malformed_trap_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truth.json").write_text(json.dumps(_truth([{"kind": "short_off", "ps_id": "ps-1"}])))
    (tmp_path / "records.json").write_text("[]")
    assert accuracy_main([str(tmp_path / "truth.json"), "--records", str(tmp_path / "records.json")]) == 2
    assert "not a trap" in capsys.readouterr().err
