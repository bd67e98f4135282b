"""`make bench` writes one summary table of every benchmark's headline figures on top of BENCHMARKS.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from fbjd_infra.bench.summary import END, START, Figure, _write_on_top, record, render


def test_the_summary_lists_each_figure_with_its_target_and_names_failed_benchmarks() -> None:
    figures = [Figure("ingest readings/s", "20,002/s", "≥ 20,000/s", True), Figure("p99 record → province", "990 ms")]
    text = render(figures, "2 cores", failed=["pipeline"])
    assert "| ingest readings/s | 20,002/s | ≥ 20,000/s | yes |" in text
    assert "| p99 record → province | 990 ms | — | — |" in text
    assert "failed in this run: pipeline" in text


def test_a_benchmark_run_on_its_own_records_nothing_and_under_bench_all_hands_its_figures_over() -> None:
    alone = argparse.Namespace()
    record(alone, Figure("x", "1"))
    assert not hasattr(alone, "figures")
    collected: list[Figure] = []
    record(argparse.Namespace(figures=collected), Figure("x", "1"))
    assert collected == [Figure("x", "1")]


def test_the_summary_goes_under_the_title_and_replaces_the_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# fbjd benchmarks\n\nintro\n\n<!-- other section -->\n")
    _write_on_top(path, render([Figure("a", "1")], "m", []))
    _write_on_top(path, render([Figure("b", "2")], "m", []))
    text = path.read_text()
    assert text.startswith("# fbjd benchmarks\n\n" + START)
    assert text.count(START) == 1 and text.count(END) == 1
    assert "| b | 2 |" in text and "| a | 1 |" not in text and "<!-- other section -->" in text
