"""`fbjd bench pipeline` measures what it says on the platform the tests boot: each burst becomes a record and
reaches the province, and every service's memory is sampled."""

from __future__ import annotations

from fbjd_infra.bench.pipeline import percentile, run

from .conftest import Platform


def test_two_bursts_become_records_at_the_province_with_their_latencies_and_each_services_memory(
    platform: Platform,
) -> None:
    episodes, peaks = run(platform, terminals=2, rounds=1)
    assert len(episodes) == 2
    for episode in episodes:
        to_record, to_province = episode.condition_to_record_ms(), episode.record_to_province_ms()
        assert to_record is not None and to_province is not None, episode
        assert 0 <= to_record < 60_000 and 0 <= to_province < 60_000, episode
    assert {"ingest", "rules", "workflow", "bridge", "registry", "gateway", "web"} <= set(peaks)
    assert all(rss > 10 * 2**20 for rss in peaks.values()), peaks


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0 and percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.99) is None
