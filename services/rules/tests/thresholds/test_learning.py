"""Threshold learning on synthetic fortnights: bimodal, unimodal (always on), noisy, and the findings."""

from __future__ import annotations

import numpy as np
import pytest
from fbjd_rules.errors import InsufficientData
from fbjd_rules.thresholds.learning import learn_threshold

START = 1_772_409_600
DAYS = 15


def _fortnight(on_kw: float, off_kw: float, *, noise: float, seed: int = 1, day_shift: bool = True) -> tuple:
    """5-minute samples over 15 days: on 06:00-22:00 (if `day_shift`), off otherwise, with AR(1) noise."""
    rng = np.random.default_rng(seed)
    times = START + np.arange(0, DAYS * 86400, 300, dtype=np.int64)
    hour = (times // 3600) % 24
    running = (hour >= 6) & (hour < 22) if day_shift else np.ones(times.shape, dtype=bool)
    level = np.where(running, on_kw, off_kw)
    shocks = rng.normal(0, noise, times.shape[0])
    ar = np.zeros_like(shocks)
    for i in range(1, shocks.shape[0]):
        ar[i] = 0.8 * ar[i - 1] + shocks[i]
    power = np.maximum(0.0, level * (1 + ar))
    return times, power


def test_bimodal_power_gives_a_threshold_between_the_modes() -> None:
    times, power = _fortnight(45.0, 2.0, noise=0.03)
    est = learn_threshold(times, power, rated_kw=55.0, role="treatment")
    assert est.status == "learned" and 3.0 < est.threshold_kw < 35.0
    assert est.off_level_kw == pytest.approx(2.0, rel=0.1) and est.on_level_kw == pytest.approx(45.0, rel=0.1)
    assert est.confidence > 0.8 and est.on_share == pytest.approx(2 / 3, abs=0.02) and est.findings == ()


def test_unimodal_always_on_proposes_no_threshold() -> None:
    times, power = _fortnight(45.0, 2.0, noise=0.03, day_shift=False)
    est = learn_threshold(times, power, rated_kw=55.0)
    assert (est.status, est.threshold_kw, est.confidence) == ("always_on", None, 0.0)


def test_noisy_bimodal_power_with_flagged_spikes_is_still_separated() -> None:
    times, power = _fortnight(30.0, 1.5, noise=0.12, seed=7)
    rng = np.random.default_rng(3)
    spikes = rng.choice(power.shape[0], 200, replace=False)
    power[spikes] = 900.0  # meter faults, flagged D by the terminal
    valid = np.ones(power.shape[0], dtype=bool)
    valid[spikes] = False
    est = learn_threshold(times, power, valid=valid, rated_kw=40.0)
    assert est.status == "learned" and 1.5 < est.threshold_kw < 20.0
    assert 0.3 < est.confidence <= 1.0


def test_less_than_fourteen_days_is_refused() -> None:
    times, power = _fortnight(45.0, 2.0, noise=0.03)
    with pytest.raises(InsufficientData):
        learn_threshold(times[: 10 * 288], power[: 10 * 288])


def test_a_treatment_fan_far_below_rated_power_is_reduced_frequency_use() -> None:
    times, power = _fortnight(12.0, 0.5, noise=0.03)
    est = learn_threshold(times, power, rated_kw=75.0, role="treatment")
    assert [f.code for f in est.findings] == ["reduced_frequency"] and "降频" in est.findings[0].message


def test_a_declared_threshold_the_data_contradict_is_a_finding() -> None:
    times, power = _fortnight(45.0, 8.0, noise=0.03)
    est = learn_threshold(times, power, rated_kw=55.0, declared_kw=5.0)
    assert "declared_contradicted" in [f.code for f in est.findings]
    assert not learn_threshold(times, power, rated_kw=55.0, declared_kw=20.0).findings


def test_a_declared_threshold_inside_the_always_on_band_straddles() -> None:
    times, power = _fortnight(20.0, 1.0, noise=0.08, day_shift=False)
    est = learn_threshold(times, power, rated_kw=30.0, declared_kw=20.0)
    assert est.status == "always_on" and [f.code for f in est.findings] == ["threshold_straddles"]
