"""`fbjd bench ingest` end to end with tiny numbers (real PostgreSQL, the real ingest process, real TCP), and
its parts: packet templates, the report file, the profile summary."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fbjd_infra.bench.loadgen import BenchTerminal, PacketTemplate, factor_codes
from fbjd_infra.bench.monitor import summarise_collapsed
from fbjd_infra.bench.report import END, START, write_section
from fbjd_infra.bench.run import bench_terminals
from hj212.factors import get_profile, map_factors
from hj212.frame import parse_frame
from hj212.message import parse_message


@pytest.mark.slow
def test_bench_runs_end_to_end_and_every_acknowledged_reading_is_stored(tmp_path: Path) -> None:
    output = tmp_path / "BENCH.md"
    env = dict(os.environ)
    server = os.environ.get("FBJD_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if server:
        env["DATABASE_URL"] = server  # the bench makes (and drops) its own database there
    argv = [
        sys.executable,
        "-m",
        "fbjd_infra.cli",
        "bench",
        "ingest",
        "--terminals",
        "20",
        "--duration",
        "3",
        "--warmup",
        "1",
        "--rate",
        "2000",
        "--factors",
        "8",
        "--no-profile",
        "--ingest-loop",
        "asyncio",
        "--output",
        str(output),
    ]
    run = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=240, check=False)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "integrity:" in run.stdout and "-> OK" in run.stdout
    text = output.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    rows = {
        m.group(1): m
        for m in re.finditer(
            r"^\| (paced|max) \| [^|]+ \| ([\d,]+) \| ([\d,]+) \| ([\d.]+) ms \| ([\d.]+) ms \|", text, re.M
        )
    }
    assert set(rows) == {"paced", "max"}
    for match in rows.values():
        packets, readings = (int(match.group(i).replace(",", "")) for i in (2, 3))
        assert packets > 0 and readings == pytest.approx(packets * 8, abs=8)
        assert 0 < float(match.group(4)) <= float(match.group(5))
    paced = int(rows["paced"].group(3).replace(",", ""))
    assert paced == pytest.approx(2000, rel=0.15)  # the paced phase delivers what it offers
    stored = re.search(r"Integrity: ([\d,]+) rows in `ingest.readings` for ([\d,]+) acknowledged", text)
    assert stored is not None and stored.group(1) == stored.group(2) and stored.group(1) != "0"
    assert re.search(r"Peak RSS of the ingest process: [1-9]\d* MiB", text)
    assert "| paced | " in text.split("Where the time goes")[1]  # the CPU split per phase


def test_packet_template_builds_valid_packets_the_profile_understands() -> None:
    terminal = bench_terminals(1)[0]
    assert len(terminal.mn) == 24 and len(terminal.ps_id) == 32
    for factors in (1, 10, 40):
        template = PacketTemplate(terminal, factors, random.Random(1))
        raw = template.frame("20261125101010123", "20261125093000")
        message = parse_message(parse_frame(raw).segment)
        assert message.warnings == ()
        assert (message.qn, message.cn, message.st, message.flag) == ("20261125101010123", "2051", "44", 5)
        assert message.cp.params == {"DataTime": "20261125093000"}
        assert list(message.cp.factors) == factor_codes(factors)
        mapped = map_factors(get_profile("hj212-2025-electric"), message.cp)
        assert all(v.quantity is not None for v in mapped)
    with pytest.raises(ValueError, match="do not fit"):
        PacketTemplate(BenchTerminal(terminal.mn, terminal.password, terminal.ps_id), 80, random.Random(1))


def test_report_section_is_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, f"{START}\nfirst\n{END}\n")
    path.write_text(path.read_text() + "\n## Other benchmark\nkept\n")
    write_section(path, f"{START}\nsecond\n{END}\n")
    text = path.read_text()
    assert "second" in text and "first" not in text and "kept" in text and text.count(START) == 1


def test_profile_summary_counts_leaf_functions_and_packages() -> None:
    collapsed = "\n".join(
        [
            "<module> (uvicorn/main.py:10);run (asyncio/base_events.py:5);crc16 (hj212/crc.py:80) 30",
            "<module> (uvicorn/main.py:10);run (asyncio/base_events.py:5);_flush (fbjd_ingest/readings/writer.py:9);"
            "copy_records_to_table (asyncpg/connection.py:1) 50",
            "<module> (uvicorn/main.py:10);run (asyncio/base_events.py:5) 20",
        ]
    )
    profile = summarise_collapsed(collapsed, seconds=1.0)
    assert profile.samples == 100
    assert dict(profile.by_package) == {
        "asyncpg (PostgreSQL driver)": 50.0,
        "hj212 codec": 30.0,
        "event loop (uvloop/asyncio: polling, socket I/O)": 20.0,
    }
    assert profile.by_function[0] == ("copy_records_to_table (asyncpg/connection.py)", 50.0)
