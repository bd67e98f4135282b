"""Learning a point's on/off threshold from its own power (附件3: 通过正常生产两周以上的数据判定阈值).

Method, and why:
- Off and on are two modes of the power distribution: idle draw (controls, heaters: a few % of rated) and the
  running load. Their levels differ by an order of magnitude or more and their noise grows with the level, so
  the modes are separated on a logarithmic scale, log10(P + ε), where they are of similar width.
- Otsu's method splits the histogram where the between-class variance is largest; its effectiveness
  η = σ²_between / σ²_total (0..1) says how two-moded the data are: a single normal mode gives η ≈ 0.64
  (2/π), two clean modes η > 0.9. Below `MIN_ETA`, or when one mode holds under 2 % of the data, there is no
  boundary to learn: the point is always on (or always off) in this data, and no threshold is proposed.
- The proposed threshold is the geometric middle of the gap between the off mode's 99th and the on mode's 1st
  percentile (in the valley, robust to a few strays), else Otsu's cut when the modes touch.
- Flagged samples (anything but `N`) and non-finite values are ignored; at least 14 days are required.
Checks against rated power and the declared threshold become findings, which the province audits
("阈值设置不准确"): an "on" level far below rated on a treatment point is reduced-frequency use (降频使用).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fbjd_rules.engine.series import FloatArray, IntArray
from fbjd_rules.errors import InsufficientData

__all__ = ["Finding", "ThresholdEstimate", "learn_threshold", "otsu"]

MIN_DAYS = 14.0
MIN_ETA = 0.75
MIN_MODE_SHARE = 0.02
BINS = 256
REDUCED_FREQUENCY_SHARE = 0.3  # treatment "on" level below 30 % of rated: 降频使用
ABOVE_RATED_SHARE = 1.2
CONTRADICTION_SHARE = 0.05  # a declared threshold misjudging more than 5 % of a mode contradicts the data


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # declared_contradicted | reduced_frequency | on_above_rated | threshold_straddles
    message: str  # Chinese, shown to the bureau


@dataclass(frozen=True, slots=True)
class ThresholdEstimate:
    status: str  # learned | always_on | always_off | unimodal
    threshold_kw: float | None
    off_level_kw: float | None
    on_level_kw: float | None
    confidence: float
    eta: float
    on_share: float
    samples: int
    days: float
    findings: tuple[Finding, ...]


def otsu(values: FloatArray, bins: int = BINS) -> tuple[float, float]:
    """(cut, effectiveness η) of Otsu's two-class split of `values`."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return low, 0.0
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    centres = (edges[:-1] + edges[1:]) / 2
    weights = counts / counts.sum()
    omega = np.cumsum(weights)
    mu = np.cumsum(weights * centres)
    total_mean = mu[-1]
    total_var = float(np.sum(weights * (centres - total_mean) ** 2))
    denominator = omega * (1 - omega)
    valid = denominator > 1e-12
    between = np.zeros_like(omega)
    between[valid] = (total_mean * omega[valid] - mu[valid]) ** 2 / denominator[valid]
    best = int(np.argmax(between))
    eta = float(between[best] / total_var) if total_var > 0 else 0.0
    return float(edges[best + 1]), min(1.0, eta)


def _days(times: IntArray) -> float:
    return float(times[-1] - times[0]) / 86400.0 if times.shape[0] > 1 else 0.0


def _unimodal(power: FloatArray, rated_kw: float | None, declared_kw: float | None) -> str:
    level = float(np.median(power))
    if rated_kw:
        return "always_on" if level >= 0.15 * rated_kw else "always_off"
    if declared_kw is not None:
        return "always_on" if level > declared_kw else "always_off"
    return "unimodal"


def _findings(
    power: FloatArray,
    est: ThresholdEstimate,
    *,
    on_mask: FloatArray | None,
    rated_kw: float | None,
    declared_kw: float | None,
    role: str,
) -> tuple[Finding, ...]:
    found = []
    on_level = (
        est.on_level_kw if est.status == "learned" else (float(np.median(power)) if est.status == "always_on" else None)
    )
    if rated_kw and on_level is not None:
        if on_level > ABOVE_RATED_SHARE * rated_kw:
            found.append(
                Finding("on_above_rated", f"运行功率{on_level:.1f}kW高于额定功率{rated_kw:g}kW，额定功率可能填报有误")
            )
        if role == "treatment" and on_level < REDUCED_FREQUENCY_SHARE * rated_kw:
            found.append(
                Finding(
                    "reduced_frequency",
                    f"治理设施测点运行功率{on_level:.1f}kW仅为额定功率{rated_kw:g}kW的"
                    f"{on_level / rated_kw:.0%}，疑似降频使用",
                )
            )
    if declared_kw is None:
        return tuple(found)
    if est.status == "learned" and on_mask is not None:
        on, off = power[on_mask.astype(bool)], power[~on_mask.astype(bool)]
        off_above = float((off > declared_kw).mean()) if off.size else 0.0
        on_below = float((on <= declared_kw).mean()) if on.size else 0.0
        if max(off_above, on_below) > CONTRADICTION_SHARE:
            found.append(
                Finding(
                    "declared_contradicted",
                    f"申报阈值{declared_kw:g}kW与运行数据不符：停运时{off_above:.0%}的数据高于阈值、"
                    f"运行时{on_below:.0%}的数据低于阈值；数据判定阈值约{est.threshold_kw:.1f}kW（阈值设置不准确）",
                )
            )
    else:
        low, high = np.percentile(power, [5, 95])
        if low < declared_kw < high:
            found.append(
                Finding(
                    "threshold_straddles",
                    f"申报阈值{declared_kw:g}kW落在功率波动范围{low:.1f}～{high:.1f}kW之内，启停判定会反复跳变（阈值设置不准确）",
                )
            )
    return tuple(found)


def learn_threshold(
    times: IntArray,
    power: FloatArray,
    *,
    valid: FloatArray | None = None,
    rated_kw: float | None = None,
    declared_kw: float | None = None,
    role: str = "production",
    min_days: float = MIN_DAYS,
) -> ThresholdEstimate:
    """Learn the threshold of one point from ≥ `min_days` of its power (kW) at `times` (epoch seconds)."""
    keep = np.isfinite(power) & (power >= 0)
    if valid is not None:
        keep &= valid.astype(bool)
    times, power = times[keep], power[keep]
    days = _days(times)
    if days < min_days or power.shape[0] < 100:
        raise InsufficientData(f"阈值学习至少需要{min_days:g}天的有效数据，现有{days:.1f}天、{power.shape[0]}条")
    epsilon = max(1e-3, 0.005 * float(np.percentile(power, 99)))
    scaled = np.log10(power + epsilon)
    low, high = np.percentile(scaled, [0.1, 99.9])
    cut, eta = otsu(np.clip(scaled, low, high))
    on_mask = scaled > cut
    on_share = float(on_mask.mean())
    off, on = power[~on_mask], power[on_mask]
    separated = min(on_share, 1 - on_share) >= MIN_MODE_SHARE and eta >= MIN_ETA
    if separated and float(np.median(on)) < 1.5 * float(np.median(off)) + epsilon:
        separated = False
    if not separated:
        status = _unimodal(power, rated_kw, declared_kw)
        estimate = ThresholdEstimate(status, None, None, None, 0.0, round(eta, 3), on_share, power.size, days, ())
        return _with_findings(estimate, power, None, rated_kw, declared_kw, role)
    off_high, on_low = float(np.percentile(off, 99)), float(np.percentile(on, 1))
    gap = on_low > off_high
    threshold = float(np.sqrt(max(off_high, epsilon) * on_low)) if gap else float(10**cut - epsilon)
    minority = min(on_share, 1 - on_share)
    confidence = float(np.clip((eta - 0.6) / 0.35, 0, 1)) * min(1.0, minority / 0.05) * (1.0 if gap else 0.6)
    estimate = ThresholdEstimate(
        "learned",
        round(threshold, 3),
        round(float(np.median(off)), 3),
        round(float(np.median(on)), 3),
        round(confidence, 3),
        round(eta, 3),
        round(on_share, 4),
        int(power.size),
        round(days, 2),
        (),
    )
    return _with_findings(estimate, power, on_mask.astype(np.float64), rated_kw, declared_kw, role)


def _with_findings(
    estimate: ThresholdEstimate,
    power: FloatArray,
    on_mask: FloatArray | None,
    rated_kw: float | None,
    declared_kw: float | None,
    role: str,
) -> ThresholdEstimate:
    findings = _findings(power, estimate, on_mask=on_mask, rated_kw=rated_kw, declared_kw=declared_kw, role=role)
    return ThresholdEstimate(
        estimate.status,
        estimate.threshold_kw,
        estimate.off_level_kw,
        estimate.on_level_kw,
        estimate.confidence,
        estimate.eta,
        estimate.on_share,
        estimate.samples,
        estimate.days,
        findings,
    )
