"""Replay of stored history and the accuracy report against a ground truth."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fbjd_core.time import now
from fbjd_rules.accuracy import main as accuracy_main
from fbjd_rules.config import Settings, service_token
from fbjd_rules.engine.records import utc_text
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.replay import abnormal_json, replay, write_report


async def test_replay_finds_what_the_service_found_and_accuracy_scores_it(
    plant: Any,
    flow: Any,
    rules_settings: Settings,
    database_url: str,
    registry_at: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(200, 80.0)], interval=5)
    await plant.power("fan", start, [(30, 30.0), (40, 1.0), (60, 30.0), (20, 1.0), (50, 30.0)], interval=5)
    await flow.notify(plant, start, start + timedelta(minutes=200))
    stored = await flow.settled(plant.ps_id)

    registry = RegistryClient(rules_settings.registry_url, lambda: service_token(rules_settings))
    try:
        report = await replay(
            dsn=database_url, start=start, end=start + timedelta(minutes=200), source=registry, ps_ids=[plant.ps_id]
        )
    finally:
        await registry.aclose()
    assert report.by_type == {"treatment_abnormal": 2} and report.readings == 80 and report.enterprises == 1
    assert sorted(str(a.id) for a in report.abnormals) == sorted(r["id"] for r in stored)
    write_report(report)
    assert "treatment_abnormal   2" in capsys.readouterr().out

    kiln, bag = plant.facilities["kiln"]["id"], plant.facilities["bag"]["id"]
    truth = [
        {
            "type": "treatment_abnormal",
            "ps_id": plant.ps_id,
            "production_facility_id": kiln,
            "treatment_facility_id": bag,
            "start": utc_text(start + timedelta(minutes=30)),
            "end": utc_text(start + timedelta(minutes=72)),
        },
        {
            "type": "treatment_abnormal",
            "ps_id": plant.ps_id,
            "production_facility": kiln,
            "start": utc_text(start + timedelta(minutes=130)),
            "end": utc_text(start + timedelta(minutes=150)),
        },
        {
            "type": "stop_violation",
            "ps_id": plant.ps_id,
            "production_facility_id": kiln,
            "start": utc_text(start),
            "end": utc_text(start + timedelta(minutes=60)),
        },
    ]
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    (tmp_path / "records.json").write_text(json.dumps([abnormal_json(a) for a in report.abnormals]))
    assert accuracy_main([str(tmp_path / "truth.json"), "--records", str(tmp_path / "records.json")]) == 0
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines["treatment_abnormal"][1:6] == ["2", "2", "2", "100.0%", "100.0%"]
    assert lines["treatment_abnormal"][6:] == ["0.0/0.0", "1.0/2.0"]
    assert lines["stop_violation"][1:6] == ["1", "0", "0", "0.0%", "100.0%"]
    argv = [str(tmp_path / "truth.json"), "--database-url", database_url]
    assert await asyncio.to_thread(accuracy_main, argv) == 0  # the CLI runs its own event loop
    stored_lines = capsys.readouterr().out.splitlines()
    assert stored_lines[1].split()[1:6] == ["2", "2", "2", "100.0%", "100.0%"]


def test_a_malformed_ground_truth_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truth.json").write_text(json.dumps([{"type": "treatment_abnormal"}]))
    assert accuracy_main([str(tmp_path / "truth.json"), "--records", str(tmp_path / "truth.json")]) == 2
    assert "not a violation" in capsys.readouterr().err
