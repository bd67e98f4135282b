"""`fbjd bench storm` with tiny numbers on a real PostgreSQL and a real ingest process: every terminal
reconnects at once, resends its whole backlog in order, and every acknowledged reading is stored exactly once."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from fbjd_infra.bench import storm


def test_thirty_terminals_back_at_once_resend_half_an_hour_each_and_all_of_it_is_stored_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = os.environ.get("FBJD_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if server:
        monkeypatch.setenv("DATABASE_URL", server)  # the bench makes (and drops) its own database there
    parser = argparse.ArgumentParser()
    storm.add_arguments(parser)
    output = tmp_path / "BENCH.md"
    args = parser.parse_args(["--terminals", "30", "--hours", "0.5", "--factors", "4", "--output", str(output)])
    args.figures = []

    assert storm.main(args) == 0

    text = output.read_text()
    assert "| 30 | 0.5 h each |" in text
    # 30 terminals × 30 minute packets × 4 readings
    assert "3,600 rows in `ingest.readings` for 3,600 acknowledged readings; 900 receipts for 900" in text
    (figure,) = args.figures
    assert figure.met is True, figure
