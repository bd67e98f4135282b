"""The rules' parameters: defaults from the sources (Hebei/Cangzhou notices, Beijing guideline), all changeable.

A city sets them in the service's settings; a point may carry its own judgement time (the province's
treatmentAmmeterThresholdTime), which wins over `treatment_minutes` for rule 1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PARAMS", "RuleParams", "grade_for"]


@dataclass(frozen=True, slots=True)
class RuleParams:
    treatment_minutes: int = 15  # rule 1: production on, treatment off for at least this long
    stop_minutes: int = 30  # rule 2: running in a stop order for at least this long
    off_peak_minutes: int = 30  # rule 4: running in a forbidden window for at least this long
    limit_minutes: int = 30  # rule 3: the excess must last this long to be a record
    limit_tolerance: float = 0.10  # rule 3: cumulative energy may exceed share × baseline by this fraction
    limit_min_elapsed_minutes: int = 60  # rule 3: no judgement in the first hour of a period (too few kWh)
    baseline_days: int = 7  # rule 3: normal days averaged for the baseline
    baseline_lookback_days: int = 14  # rule 3: how far back to look for normal days
    baseline_min_coverage: float = 0.8  # a normal day has data for this share of its minutes
    grade_serious_minutes: int = 60  # grades by duration: ≥ 15 min general (一般), ≥ 1 h serious (较重)
    grade_grave_minutes: int = 240  # ≥ 4 h grave (严重)
    offline_intervals: int = 3  # a stretch is no longer ongoing when data stops for this many intervals
    implausible_factor: float = 3.0  # power above this × rated is implausible (and not taken as running)
    voltage_lost_v: float = 10.0  # rule 5: a voltage below this (after a normal one) is a power-off
    stuck_hours: float = 4.0  # rule 5: a value exactly constant this long while others move is stuck
    min_transmission_rate: float = 0.90  # rule 5: a point's daily/monthly transmission rate below this
    clock_skew_s: int = 300  # rule 5: a DataTime this far ahead of its reception is clock skew


DEFAULT_PARAMS = RuleParams()


def grade_for(duration_minutes: int, params: RuleParams = DEFAULT_PARAMS) -> str:
    """general (一般) / serious (较重) / grave (严重) by duration."""
    if duration_minutes >= params.grade_grave_minutes:
        return "grave"
    if duration_minutes >= params.grade_serious_minutes:
        return "serious"
    return "general"
