"""The replay benchmark: synthetic enterprises' readings in ingest's table, replayed, timed, scored.

What it measures: `replay` end to end (reading `ingest.readings_v1` as arrays + judging) in readings per second,
and the judging alone; and, since it knows what it injected (treatment off for 20-40 minutes while production
runs, plus main/standby switch-overs that must not count), the recall and precision of the records.
Topologies are fixed in memory (no registry), so the figure is the rules' own speed.

Entry point: `main(argv) -> int` (for `make bench` / `fbjd bench rules`; needs --database-url of a migrated
database). Rows it writes carry psIds starting with `bec4` and are deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import numpy as np
from fbjd_core.settings import asyncpg_dsn

from fbjd_rules.accuracy import Interval, score, write_scores
from fbjd_rules.engine.model import (
    ControlSpan,
    Facility,
    FacilityKind,
    Point,
    PointRole,
    Topology,
    TopologyVersion,
)
from fbjd_rules.replay import replay, write_report

__all__ = ["StaticTopologies", "main", "synthetic_enterprise"]

PREFIX = "bec4"
CST = timedelta(hours=8)


class StaticTopologies:
    """A TopologySource with one topology per enterprise, in force since the epoch, and no control periods."""

    def __init__(self, topologies: dict[str, Topology]) -> None:
        self._topologies = topologies

    async def versions(self, ps_id: str, start: datetime, end: datetime) -> list[TopologyVersion]:
        del start, end
        found = self._topologies.get(ps_id)
        return [] if found is None else [TopologyVersion(datetime(1970, 1, 1, tzinfo=UTC), found)]

    async def control_spans(
        self, versions: Sequence[TopologyVersion], start: datetime, end: datetime, *, now: datetime
    ) -> list[ControlSpan]:
        del versions, start, end, now
        return []


@dataclass(frozen=True, slots=True)
class Synthetic:
    topology: Topology
    rows: list[tuple[Any, ...]]
    truth: list[Interval]


def synthetic_enterprise(
    index: int, start: datetime, days: int, *, kilns: int, interval_min: int, rng: np.random.Generator
) -> Synthetic:
    """`kilns` production lines, each with a dust collector of main + standby fan; two-shift production."""
    ps_id = f"{PREFIX}{index:028x}"
    mn = f"BE{index:022X}"
    facilities, points, links, requirements = [], [], [], {}
    n = days * 1440 // interval_min
    times = [start + timedelta(minutes=i * interval_min) for i in range(n)]
    local_hour = np.array([((t + CST).hour) for t in times])
    rows: list[tuple[Any, ...]] = []
    truth: list[Interval] = []
    received = datetime.now(UTC)
    for k in range(kilns):
        kiln, bag = f"{ps_id[:8]}-kiln-{k}", f"{ps_id[:8]}-bag-{k}"
        facilities += [
            Facility(kiln, f"{k + 1}#窑", FacilityKind.PRODUCTION),
            Facility(bag, f"{k + 1}#窑除尘器", FacilityKind.TREATMENT),
        ]
        ids = [f"{kiln}-p", f"{bag}-main", f"{bag}-standby"]
        points += [
            Point(ids[0], f"{k + 1}#窑电机", PointRole.PRODUCTION, kiln, 20.0, rated_kw=100.0),
            Point(ids[1], f"{k + 1}#引风机", PointRole.TREATMENT, bag, 5.0, rated_kw=45.0, standby_group="fan"),
            Point(ids[2], f"{k + 1}#备用引风机", PointRole.TREATMENT, bag, 5.0, rated_kw=45.0, standby_group="fan"),
        ]
        links.append((kiln, bag))
        requirements[bag] = ((ids[1], ids[2]),)
        producing = (local_hour >= 6) & (local_hour < 22)
        main_on, standby_on = producing.copy(), np.zeros(n, dtype=bool)
        for _ in range(days):  # a switch-over to the standby fan for two hours, now and then
            if rng.random() < 0.3:
                at = int(rng.integers(0, n - 24))
                main_on[at : at + 24], standby_on[at : at + 24] = False, producing[at : at + 24]
        for _ in range(days):  # injected violations: both fans off while production runs
            at = int(rng.integers(0, n - 12))
            length = int(rng.integers(20, 41)) // interval_min
            if producing[at : at + length].all():
                main_on[at : at + length], standby_on[at : at + length] = False, False
                truth.append(
                    Interval(
                        "treatment_abnormal",
                        ps_id,
                        kiln,
                        bag,
                        times[at],
                        times[at] + timedelta(minutes=length * interval_min),
                    )
                )
        meters = ((ids[0], producing, 80.0, 3.0), (ids[1], main_on, 30.0, 0.5), (ids[2], standby_on, 30.0, 0.5))
        for j, (pid, on, run_kw, idle_kw) in enumerate(meters):
            power = np.where(on, run_kw, idle_kw) * (1 + rng.normal(0, 0.03, n))
            code = f"d2{k:02d}{j:02d}"
            rows += [
                (
                    ps_id,
                    mn,
                    "2051",
                    code,
                    t,
                    None,
                    float(p),
                    float(p),
                    float(p),
                    None,
                    "N",
                    "active_power_kw",
                    pid,
                    None,
                    received,
                )
                for t, p in zip(times, power, strict=True)
            ]
    truth = _merged(truth)
    topology = Topology(
        ps_id,
        f"基准测试企业{index}",
        "130902",
        "新型建材",
        tuple(facilities),
        tuple(points),
        tuple(links),
        requirements,
    )
    return Synthetic(topology, rows, truth)


def _merged(truth: list[Interval]) -> list[Interval]:
    """Injected stretches of one line that touch or overlap are one violation."""
    result: list[Interval] = []
    for item in sorted(truth, key=lambda i: (i.production, i.start)):
        last = result[-1] if result else None
        if last is not None and last.production == item.production and item.start <= last.end:
            result[-1] = Interval(
                last.type, last.ps_id, last.production, last.treatment, last.start, max(last.end, item.end)
            )
        else:
            result.append(item)
    return result


async def _write(dsn: str, rows: list[tuple[Any, ...]], days: set[Any]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for day in sorted(days):
            upper = day + timedelta(days=1)
            for table in ("readings", "receipts"):
                await conn.execute(
                    f"CREATE TABLE IF NOT EXISTS ingest.{table}_p{day:%Y%m%d} PARTITION OF ingest.{table} "
                    f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+08') TO ('{upper.isoformat()} 00:00:00+08')"
                )
        await conn.copy_records_to_table(
            "readings",
            schema_name="ingest",
            records=rows,
            columns=[
                "ps_id",
                "mn",
                "cn",
                "code",
                "data_time",
                "rtd",
                "avg",
                "min",
                "max",
                "cou",
                "flag",
                "quantity",
                "point_id",
                "extra",
                "received_at",
            ],
        )
    finally:
        await conn.close()


async def _clean(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DELETE FROM ingest.readings WHERE ps_id LIKE '{PREFIX}%'")
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> int:
    dsn = asyncpg_dsn(args.database_url)
    start = datetime(2026, 9, 7, tzinfo=UTC) - CST  # a Monday, 00:00 CST
    end = start + timedelta(days=args.days)
    rng = np.random.default_rng(args.seed)
    await _clean(dsn)
    t0 = time.perf_counter()
    topologies, truth, total = {}, [], 0
    cst_days = {(start + CST + timedelta(days=d)).date() for d in range(-1, args.days + 1)}
    for index in range(args.enterprises):
        plant = synthetic_enterprise(index, start, args.days, kilns=args.kilns, interval_min=args.interval, rng=rng)
        topologies[plant.topology.ps_id] = plant.topology
        truth += plant.truth
        await _write(dsn, plant.rows, cst_days)
        total += len(plant.rows)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("ANALYZE ingest.readings")  # as autovacuum would have done on a live system
    finally:
        await conn.close()
    sys.stdout.write(f"wrote {total} readings of {args.enterprises} enterprises in {time.perf_counter() - t0:.1f} s\n")
    try:
        report = await replay(
            dsn=dsn, start=start, end=end, source=StaticTopologies(topologies), ps_ids=sorted(topologies)
        )
        write_report(report)
        records = [
            Interval(a.type.value, a.ps_id, a.production_facility_id, a.treatment_facility_id, a.start, a.end)
            for a in report.abnormals
        ]
        write_scores(score(truth, records, timedelta(minutes=args.interval)))
    finally:
        if not args.keep:
            await _clean(dsn)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fbjd bench rules", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--enterprises", type=int, default=100)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--kilns", type=int, default=3, help="production lines per enterprise (3 points each)")
    parser.add_argument("--interval", type=int, default=5, help="minutes between readings")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", action="store_true", help="leave the synthetic readings in the database")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
