"""The web benchmark's arithmetic and report (`fbjd bench web`): who the users are, which pages each role
opens, the percentiles per page after the warm-up, and the BENCHMARKS.md section. The run itself against the
booted platform is tests/e2e/browser/test_web_bench.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from fbjd_infra.bench.report import write_section
from fbjd_infra.bench.web import (
    END,
    START,
    TARGET_P95_MS,
    Sample,
    WebBenchResult,
    add_arguments,
    figures,
    headline,
    render,
    roles_for,
    visits_for,
)


def test_fifty_users_are_thirty_city_ten_county_and_ten_enterprise() -> None:
    roles = roles_for(50)
    assert (roles.count("city"), roles.count("county"), roles.count("enterprise")) == (30, 10, 10)
    assert len(roles_for(7)) == 7 and roles_for(1) == ["city"]


def test_an_enterprise_user_opens_only_its_self_service_pages() -> None:
    visits = visits_for("enterprise", alarm_ids=["a1"], ps_ids=["p1"])
    assert visits and all(v.path.startswith("/my") for v in visits)
    staff = visits_for("city", alarm_ids=["a1", "a2"], ps_ids=["p1"])
    paths = {v.path for v in staff}
    assert {"/overview", "/alarms", "/alarms/a1", "/alarms/a2", "/enterprises/p1", "/statistics"} <= paths
    assert any(v.htmx for v in staff), "the live polls are measured too"


def test_percentiles_count_answers_after_the_warm_up_and_errors_apart() -> None:
    samples = [Sample("overview", 0.5, 900.0, 200)]  # warm-up: not counted
    samples += [Sample("overview", 1.0 + i, float(ms), 200) for i, ms in enumerate(range(10, 110, 10))]
    samples += [Sample("alarms", 2.0, 5.0, 200), Sample("alarms", 3.0, 7.0, 500)]
    pages, overall = figures(samples, warmup_s=1.0)
    assert pages["overview"].requests == 10 and pages["overview"].errors == 0
    assert pages["overview"].p50_ms == 55.0 and pages["overview"].p95_ms == 100.0 and pages["overview"].max_ms == 100.0
    assert pages["alarms"].requests == 2 and pages["alarms"].errors == 1 and pages["alarms"].p99_ms == 5.0
    assert overall.requests == 12 and overall.errors == 1


def test_the_report_says_whether_the_target_is_met_and_replaces_its_section(tmp_path: Path) -> None:
    pages, overall = figures([Sample("overview", 2.0, 120.0, 200), Sample("alarms", 2.0, 80.0, 200)], warmup_s=1.0)
    result = WebBenchResult(
        users=50, roles={"city": 30, "county": 10, "enterprise": 10}, duration_s=60, warmup_s=5, think_s=1.0,
        records=8, pages=pages, overall=overall, requests_per_s=40.0,
    )  # fmt: skip
    assert result.meets_target and overall.p95_ms is not None and overall.p95_ms < TARGET_P95_MS
    section = render(result, "a test machine")
    assert section.startswith(START) and section.endswith(END)
    assert "**met**" in section and "| overview | 1 | 0 | 120 ms |" in section and "30 city" in section
    summary = headline(result)
    assert (summary.value, summary.target, summary.met) == ("120 ms", "< 200 ms", True)
    benchmarks = tmp_path / "BENCHMARKS.md"
    benchmarks.write_text("# fbjd benchmarks\n\nother figures\n")
    write_section(benchmarks, section, markers=(START, END))
    write_section(benchmarks, section.replace("**met**", "**NOT met**"), markers=(START, END))
    text = benchmarks.read_text()
    assert text.count(START) == 1 and "**NOT met**" in text and "other figures" in text


def test_the_command_defaults_to_fifty_users_for_a_minute() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    assert (args.users, args.duration, args.warmup, args.think, args.base_url) == (50, 60.0, 5.0, 1.0, None)
