"""Terminals taken from the registry (`GET /api/registry/devices`): the demo city's own MNs, passwords and points.

`fbjd run` seeds a demo city in the registry (enterprises, facilities, points with their MN and factor codes,
production-treatment links) and registers its devices with ingest; `fbjd simulate --from-registry GATEWAY`
simulates exactly those devices, so the readings land on the registry's points and the rules see real
production/treatment pairs.  Per point:

* role production / integrated -> a production meter; treatment -> a treatment fan, the first point of a
  standby group its main fan and the others standby fans; total_line -> the total incoming line;
* the channel and the code family (d2.. production side, d3.. treatment side) come from the point's power code,
  so the packets carry exactly the registry's ``factor_code`` and ``energy_factor_code`` (plus current, voltage
  and power factor on the same channel);
* rated and threshold kW from the point: running draw well above the threshold, off-state draw well below.

What the registry does not say (shift pattern, noise, initial registers) is drawn from a generator seeded by the
MN, so a restart simulates the same site the same way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from hj212.versions import Version

from fbjd_infra.simulators.fleet import TerminalSpec
from fbjd_infra.simulators.plant import MeterRole, MeterSpec, PlantSpec, Schedule

__all__ = ["RegistryFleetError", "fleet_from_registry"]

_SCHEDULES = (
    Schedule.CONTINUOUS,
    Schedule.THREE_SHIFT,
    Schedule.TWO_SHIFT,
    Schedule.TWO_SHIFT,
    Schedule.DAY,
    Schedule.NIGHT,
)
_CONTINUOUS_WORDS = ("窑", "炉", "焦", "熔")


class RegistryFleetError(ValueError):
    """A registry device cannot be simulated (no usable factor code)."""


def _channel_and_family(code: str) -> tuple[int, str]:
    """``d20503`` -> (3, "production"); ``d30501`` -> (1, "treatment")."""
    if len(code) != 6 or code[0] != "d" or code[1] not in "23" or not code[2:].isdigit():
        raise RegistryFleetError(f"factor code {code!r} is not a d2PPNN/d3PPNN electricity code")
    return int(code[4:]), "treatment" if code[1] == "3" else "production"


def _shares(rng: random.Random, rated: float, threshold: float | None, *, treatment: bool) -> tuple[float, float]:
    """(idle share, load factor) of rated power, consistent with the registry's threshold when it has one."""
    idle = rng.uniform(0.005, 0.02) if treatment else rng.uniform(0.02, 0.05)
    load = rng.uniform(0.7, 0.85) if treatment else rng.uniform(0.6, 0.85)
    if threshold and rated > 0:
        t = threshold / rated
        idle = min(idle, 0.4 * t)
        load = min(0.95, max(load, 1.8 * t))
    return idle, load


def _meters(device: Mapping[str, Any], rng: random.Random) -> tuple[MeterSpec, ...]:
    meters: list[MeterSpec] = []
    groups_seen: set[str] = set()
    for index, point in enumerate(device.get("points", [])):
        channel, family = _channel_and_family(str(point["factor_code"]))
        role_text = str(point.get("role", "production"))
        group = point.get("standby_group")
        treatment = role_text == "treatment"
        if role_text == "total_line":
            role = MeterRole.TOTAL
        elif not treatment:
            role = MeterRole.PRODUCTION
        elif group and group in groups_seen:
            role = MeterRole.TREATMENT_STANDBY
        else:
            role = MeterRole.TREATMENT_MAIN
        if treatment:
            group = group or f"point-{index}"
            groups_seen.add(group)
        default_rated = 400.0 if role is MeterRole.PRODUCTION else (900.0 if role is MeterRole.TOTAL else 80.0)
        rated = float(point.get("rated_kw") or default_rated)
        threshold = point.get("threshold_kw")
        idle, load = _shares(rng, rated, float(threshold) if threshold else None, treatment=treatment)
        if role is MeterRole.TOTAL:
            idle, load = 0.04, 1.0
        meters.append(
            MeterSpec(
                key=str(point.get("point_id", f"{family}-{channel}")),
                role=role,
                channel=channel,
                name=str(point.get("name", "")),
                rated_kw=rated,
                idle_share=idle,
                load_factor=load,
                pf_run=rng.uniform(0.85, 0.94),
                initial_kwh=round(rng.uniform(1e3, 9e5), 2),
                group=group if treatment else None,
                code_group=family,
                registry_threshold_kw=float(threshold) if threshold is not None else None,
            )
        )
    if not meters:
        raise RegistryFleetError(f"registry device {device.get('mn')} has no points")
    return tuple(meters)


def _schedule(device: Mapping[str, Any], rng: random.Random) -> Schedule:
    names = " ".join(str(p.get("name", "")) for p in device.get("points", []))
    if any(word in names for word in _CONTINUOUS_WORDS):
        return Schedule.CONTINUOUS
    return rng.choice(_SCHEDULES)


def fleet_from_registry(
    devices: Sequence[Mapping[str, Any]],
    *,
    version: Version | None = None,
    interval_s: int = 60,
    rtd_interval_s: int = 60,
    violations_per_day: float = 0.0,
    traps_per_day: float = 0.0,
    clock_skew: bool = False,
) -> list[TerminalSpec]:
    """One terminal per registry device (``demo_password`` needed: ask as admin).  ``version=None`` mixes."""
    fleet: list[TerminalSpec] = []
    for index, device in enumerate(devices):
        mn = str(device["mn"])
        password = device.get("demo_password")
        if not password:
            raise RegistryFleetError(f"registry device {mn} came without demo_password (list devices as admin)")
        rng = random.Random(f"registry:{mn}")
        meters = _meters(device, rng)
        plant = PlantSpec(
            seed=f"registry:{mn}:plant",
            schedule=_schedule(device, rng),
            meters=meters,
            treatment_lead_s=rng.uniform(3, 10) * 60,
            treatment_lag_s=rng.uniform(10, 30) * 60,
            violations_per_day=violations_per_day,
            traps_per_day=traps_per_day,
        )
        ver = version or (Version.HJ212_2025 if index % 3 == 2 else Version.HJ212_2017)
        skew = rng.choice((0.0, 0.0, 0.0, rng.uniform(-180, 180))) if clock_skew else 0.0
        fleet.append(
            TerminalSpec(
                index=index,
                mn=mn,
                password=str(password),
                ps_id=str(device["ps_id"]),
                name=str(device.get("enterprise_name", mn)),
                county=str(device.get("county_code") or ""),
                industry="",
                version=ver,
                profile=str(device.get("factor_profile") or "hj212-2025-electric"),
                plant=plant,
                interval_s=interval_s,
                rtd_interval_s=rtd_interval_s,
                clock_skew_s=skew,
            )
        )
    return fleet
