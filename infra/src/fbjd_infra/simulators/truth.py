"""The ground truth of a simulation: the treatment abnormals (治理设施异常) its plants really had.

A plant's injected violation switches all its treatment off; it is an abnormal only while production runs, and
only for a stretch of at least the judgement time: the largest `judgement_minutes` of the group's points, as the
registry lists them and the rules judge (15 min where a point has none). The rules see it once per production
facility and
per required point group (main/standby points share a group) of each treatment facility linked to it — so the
truth lists one violation for each, in the form `fbjd rules accuracy` reads. What is not there is not counted:
a production facility with only integrated (产治一体) points, a point without a threshold (nobody can tell from
its readings whether it runs), a treatment group whose points this device does not carry.

A stretch is what the minute data show: minutes sampled at their start, so it begins and ends on the minute the
center sees the change in. The plant keeps its violations apart and leaves out one already under way when it
began to report (see :mod:`fbjd_infra.simulators.plant`): no stretch is cut short by the start of the data or
a near-miss of two violations, where one more or less minute would decide whether it reaches 15 min.

The truth also lists the traps: situations that must produce no record, each with its kind and span — standby
switching (of a treatment facility's group), a 14-min off (the enterprise), a fan straddling its threshold (its
treatment facility), and each resend burst: a window the terminal was offline for and then resent (the
enterprise; the violations inside it are still listed, once, and must be found once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from fbjd_infra.simulators.plant import Plant, TrapKind

__all__ = ["JUDGEMENT_S", "abnormal_stretches", "ground_truth", "traps"]

JUDGEMENT_S = 15 * 60.0
SAMPLE_S = 60.0


def abnormal_stretches(
    plant: Plant, start: float, end: float, *, minimum_s: float = JUDGEMENT_S
) -> list[tuple[float, float]]:
    """(start, end) POSIX seconds where production ran with its treatment switched off, each ≥ `minimum_s`."""
    stretches: list[tuple[float, float]] = []
    opened: float | None = None
    t = start - start % SAMPLE_S
    while t < end:
        abnormal = plant.production_on(t) and plant.violation(t)
        if abnormal and opened is None:
            opened = t
        elif not abnormal and opened is not None:
            stretches.append((opened, t))
            opened = None
        t += SAMPLE_S
    if opened is not None:
        stretches.append((opened, end))
    return [(a, b) for a, b in stretches if b - a >= minimum_s]


def _judged(point: Mapping[str, Any], role: str) -> bool:
    """A point of `role` on a facility, with a threshold to tell its on from its off."""
    return point["role"] == role and bool(point.get("facility")) and point.get("threshold_kw") is not None


def _judgement_s(point: Mapping[str, Any]) -> float:
    minutes = point.get("judgement_minutes")
    return JUDGEMENT_S if minutes is None else float(minutes) * 60.0


def _pairs(device: Mapping[str, Any]) -> list[tuple[str, str, str, float]]:
    """(production facility, treatment facility, required group, judgement seconds) the rules judge for one
    registry device; the judgement time of a group is the largest of its points' own."""
    groups: dict[str, dict[str, float]] = {}
    for point in device["points"]:
        if _judged(point, "treatment"):
            group = point.get("standby_group") or point["point_id"]
            of_facility = groups.setdefault(point["facility"]["id"], {})
            of_facility[group] = max(of_facility.get(group, 0.0), _judgement_s(point))
    pairs: set[tuple[str, str, str, float]] = set()
    for point in device["points"]:
        if not _judged(point, "production"):
            continue
        for treatment in point.get("linked_facilities") or []:
            for group, judgement in groups.get(treatment["id"], {}).items():
                pairs.add((point["facility"]["id"], treatment["id"], group, judgement))
    return sorted(pairs)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def traps(
    device: Mapping[str, Any],
    plant: Plant,
    start: float,
    end: float,
    bursts: Sequence[tuple[float, float]] = (),
) -> list[dict[str, Any]]:
    """The traps of one device in [start, end): the plant's (those on a point the registry lists with a facility)
    and the resend bursts, clipped to the window."""
    points = {str(p["point_id"]): p for p in device["points"]}
    found: list[dict[str, Any]] = []
    for trap in plant.traps_between(start, end):
        entry: dict[str, Any] = {"kind": trap.kind.value, "ps_id": device["ps_id"]}
        if trap.meter is not None:
            point = points.get(trap.meter)
            if point is None or not _judged(point, "treatment"):
                continue
            entry |= {"treatment_facility_id": point["facility"]["id"], "point_id": trap.meter}
            entry["group"] = point.get("standby_group") or trap.meter
        found.append(entry | {"start": _iso(trap.start), "end": _iso(min(trap.end, end))})
    for a, b in bursts:
        if a < end and b > start:
            span = {"start": _iso(max(a, start)), "end": _iso(min(b, end))}
            found.append({"kind": TrapKind.RESEND_BURST.value, "ps_id": device["ps_id"]} | span)
    return found


def ground_truth(
    devices: Sequence[Mapping[str, Any]],
    plants: Mapping[str, Plant],
    start: float,
    end: float,
    *,
    bursts: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> dict[str, Any]:
    """The truth of [start, end) for the registry's devices simulated by `plants` (by MN); `bursts`: the windows
    each terminal (by MN) resent after being offline."""
    found_traps: list[dict[str, Any]] = []
    violations = []
    for device in devices:
        plant = plants.get(device["mn"])
        if plant is None:
            continue
        found_traps += traps(device, plant, start, end, (bursts or {}).get(device["mn"], ()))
        pairs = _pairs(device)
        shortest = min((judgement for *_, judgement in pairs), default=JUDGEMENT_S)
        for a, b in abnormal_stretches(plant, start, end, minimum_s=shortest):
            for production, treatment, group, judgement in pairs:
                if b - a < judgement:
                    continue
                violations.append(
                    {
                        "type": "treatment_abnormal",
                        "ps_id": device["ps_id"],
                        "production_facility_id": production,
                        "treatment_facility_id": treatment,
                        "group": group,
                        "start": _iso(a),
                        "end": _iso(b),
                    }
                )
    enterprises = sorted({d["ps_id"] for d in devices if d["mn"] in plants})
    return {
        "violations": violations,
        "traps": found_traps,
        "enterprises": enterprises,
        "from": _iso(start),
        "to": _iso(end),
    }
