"""`fbjd bench web` works on the platform the tests boot: a few users sign in through the login form, browse
the pages of their role for a few seconds, and every page answers (its times are measured, none fails)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fbjd_infra.bench.web import WebBenchResult, render, run

from ..conftest import Platform


def test_a_few_users_browse_for_a_few_seconds_and_every_page_answers_in_measured_time(platform: Platform) -> None:
    def bench() -> WebBenchResult:
        return run(
            platform.base_url,
            platform.admin_password,
            hj212_port=platform.hj212_port,
            seed_terminals=2,
            seed_hours_ago=7,  # clear of the other tests' data: the browser tests' (5-6 h), the rules accuracy's (4 h)
            users=5,
            duration_s=6.0,
            warmup_s=1.0,
            think_s=0.3,
        )

    with ThreadPoolExecutor(1) as worker:  # its own event loop: the browser driver holds this thread's
        result = worker.submit(bench).result()

    assert result.roles == {"city": 3, "county": 1, "enterprise": 1}
    assert result.records >= 2, "the seeded abnormal records are in the workflow"
    overall = result.overall
    assert overall is not None and overall.requests >= 10, overall
    failed = {page: f.errors for page, f in result.pages.items() if f.errors}
    assert not failed, f"pages that did not answer 200: {failed}"
    assert any(page.startswith("my") for page in result.pages), "the enterprise's pages were opened"
    assert any(not page.startswith("my") for page in result.pages), "the staff's pages were opened"
    assert overall.p50_ms is not None and 0 < overall.p50_ms <= (overall.p95_ms or 0) <= (overall.max_ms or 0)
    section = render(result, "this machine")
    assert "| **all pages** |" in section and "fbjd bench web: end" in section
