"""`fbjd rules replay --from --to`: evaluate stored history from scratch, fast, and print counts per type.

Fast because nothing is done per reading in Python: readings come from `ingest.readings_v1` as one row of
arrays per point (`array_agg` in PostgreSQL), become numpy arrays, and the core judges each enterprise's whole
range at once on its minute grid. Enterprises are read in chunks (bounded memory) and the next chunk is fetched
while the current one is judged. Nothing is written unless `--output FILE` (records as JSON, for `accuracy`).

Entry point for the CLI: `main(argv) -> int` (wired as `fbjd rules replay` in fbjd_infra.cli).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
import numpy as np
from fbjd_core.settings import asyncpg_dsn

from fbjd_rules.engine.evaluate import EvaluationInput, evaluate
from fbjd_rules.engine.model import ControlAction, ControlSpan, TopologyVersion
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import Abnormal, AbnormalType, utc_text
from fbjd_rules.errors import InvalidInput, RulesError
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import GroupKey, QuantityArrays, series_for_points

__all__ = ["ReplayReport", "TopologySource", "abnormal_json", "main", "replay"]

log = logging.getLogger(__name__)

CHUNK = 64  # enterprises per read
WORK_MEM = "256MB"
HOLD = timedelta(hours=1)


class TopologySource(Protocol):
    """Where the replay gets the registry as of a time (the RegistryClient over HTTP, or a fixed set)."""

    async def versions(self, ps_id: str, start: datetime, end: datetime) -> list[TopologyVersion]: ...

    async def control_spans(
        self, versions: Sequence[TopologyVersion], start: datetime, end: datetime, *, now: datetime
    ) -> list[ControlSpan]: ...


@dataclass
class ReplayReport:
    enterprises: int = 0
    readings: int = 0
    fetch_s: float = 0.0
    evaluate_s: float = 0.0
    total_s: float = 0.0
    by_type: Counter[str] = field(default_factory=Counter)
    abnormals: list[Abnormal] = field(default_factory=list)

    @property
    def readings_per_s(self) -> float:
        return self.readings / self.total_s if self.total_s else 0.0

    @property
    def evaluated_per_s(self) -> float:
        return self.readings / self.evaluate_s if self.evaluate_s else 0.0


_ELEMENT = np.dtype([("length", ">i4"), ("value", ">f8")])


def float8_array(buffer: bytes | None, n: int | None = None) -> np.ndarray:
    """A float8[] in PostgreSQL's binary format (`array_send`, no NULL elements) as a numpy array."""
    if buffer is None:
        return np.full(n or 0, np.nan)
    dims = int.from_bytes(buffer[:4], "big")
    if dims == 0:
        return np.empty(0)
    elements = np.frombuffer(buffer, dtype=_ELEMENT, offset=12 + 8 * dims)
    return elements["value"].astype(np.float64)


def _groups(rows: Sequence[Any]) -> tuple[dict[str, dict[GroupKey, QuantityArrays]], int]:
    """asyncpg rows of binary arrays → per enterprise, arrays per (point, quantity, cn); and the readings count."""
    per: dict[str, dict[GroupKey, QuantityArrays]] = {}
    count = 0
    for row in rows:
        times = float8_array(row["t"]).astype(np.int64)
        n = times.shape[0]
        order = np.argsort(times, kind="stable")
        arrays = QuantityArrays(
            times[order],
            float8_array(row["v"])[order],
            float8_array(row["reg"], n)[order],
            float8_array(row["cou"], n)[order],
        )
        count += n
        per.setdefault(row["ps_id"], {})[(row["point_id"], row["quantity"], row["cn"])] = arrays
    return per, count


async def _enterprise(
    conn: asyncpg.Connection,
    source: TopologySource,
    ps_id: str,
    mns: list[str],
    groups: dict[GroupKey, QuantityArrays],
    start: datetime,
    end: datetime,
    params: RuleParams,
) -> tuple[list[Abnormal], int]:
    versions = await source.versions(ps_id, start, end)
    if not versions:
        return [], 0
    controls = await source.control_spans(versions, start, end, now=end)
    limits = [s.period_start for s in controls if s.action is ControlAction.LIMIT]
    extra = 0
    if limits:  # the baseline needs the weeks before the period: read them for this enterprise only
        early = min(limits) - timedelta(days=params.baseline_lookback_days)
        before, extra = _groups(await readings.grouped_arrays(conn, start=early, end=start - HOLD, mns=mns))
        for key, older in before.get(ps_id, {}).items():
            newer = groups.get(key)
            groups[key] = (
                older
                if newer is None
                else QuantityArrays(
                    *(
                        np.concatenate([getattr(older, f), getattr(newer, f)])
                        for f in ("times", "value", "register", "used")
                    )
                )
            )
    rated = {p.id: p.rated_kw for v in versions for p in v.topology.points}
    series = series_for_points(groups, rated_kw=rated, implausible_factor=params.implausible_factor)
    result = evaluate(EvaluationInput(ps_id, start, end, end, versions, series, controls, params))
    return result.abnormals, extra


Chunk = tuple[list[str], list[str]]  # (psIds, their MNs)


def _chunks(terminals: dict[str, list[str]]) -> list[Chunk]:
    ps_ids = sorted(terminals)
    return [
        (part, sorted({mn for ps_id in part for mn in terminals[ps_id]}))
        for part in (ps_ids[i : i + CHUNK] for i in range(0, len(ps_ids), CHUNK))
    ]


async def _connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(asyncpg_dsn(dsn))
    await conn.execute(f"SET work_mem = '{WORK_MEM}'")  # group in memory, not in temporary files
    return conn


async def replay(
    *,
    dsn: str,
    start: datetime,
    end: datetime,
    source: TopologySource,
    params: RuleParams | None = None,
    ps_ids: Sequence[str] | None = None,
    progress: Callable[[ReplayReport], Awaitable[None]] | None = None,
) -> ReplayReport:
    """Judge [start, end) of every enterprise with data (or of `ps_ids`) from scratch; nothing is stored."""
    params = params or RuleParams()
    report = ReplayReport()
    began = time.perf_counter()
    reader, side = await _connect(dsn), await _connect(dsn)
    try:
        terminals = await readings.terminals_by_enterprise(reader, start=start - HOLD, end=end, ps_ids=ps_ids)
        chunks = _chunks(terminals)
        pending = asyncio.ensure_future(_fetch(reader, chunks[0][1], start, end)) if chunks else None
        for index, (chunk_ps_ids, _) in enumerate(chunks):
            assert pending is not None
            (per, count), fetch_s = await pending
            following = chunks[index + 1][1] if index + 1 < len(chunks) else None
            pending = asyncio.ensure_future(_fetch(reader, following, start, end)) if following else None
            report.fetch_s += fetch_s
            began_judging = time.perf_counter()
            for ps_id in chunk_ps_ids:
                found, extra = await _enterprise(
                    side, source, ps_id, terminals[ps_id], per.get(ps_id, {}), start, end, params
                )
                report.abnormals += found
                report.readings += extra
            report.readings += count
            report.enterprises += len(chunk_ps_ids)
            report.evaluate_s += time.perf_counter() - began_judging
            if progress is not None:
                await progress(report)
    finally:
        await reader.close()
        await side.close()
    report.by_type = Counter(a.type.value for a in report.abnormals)
    report.total_s = time.perf_counter() - began
    return report


async def _fetch(
    conn: asyncpg.Connection, mns: list[str], start: datetime, end: datetime
) -> tuple[tuple[dict[str, dict[GroupKey, QuantityArrays]], int], float]:
    began = time.perf_counter()
    rows = await readings.grouped_arrays(conn, start=start - HOLD, end=end, mns=mns)
    return _groups(rows), time.perf_counter() - began


def abnormal_json(a: Abnormal) -> dict[str, Any]:
    """A replayed record in the workflow contract's field names (no version/status: nothing was stored)."""
    return {
        "id": str(a.id),
        "type": a.type.value,
        "ps_id": a.ps_id,
        "enterprise_name": a.enterprise_name,
        "county": a.county,
        "production_facility_id": a.production_facility_id,
        "production_facility_name": a.production_facility_name,
        "treatment_facility_id": a.treatment_facility_id,
        "treatment_facility_name": a.treatment_facility_name,
        "treatment_point_id": a.treatment_point_id,
        "treatment_point_ids": list(a.treatment_point_ids),
        "start": utc_text(a.start),
        "end": utc_text(a.end),
        "ongoing": a.ongoing,
        "duration_minutes": a.duration_minutes,
        "grade": a.grade,
        "limit_ratio": a.limit_ratio,
        "remark": a.remark,
    }


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # a wall-clock time as the bureau writes it: China Standard Time
        from fbjd_core.time import from_cst

        moment = from_cst(moment)
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fbjd rules replay", description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", required=True, type=_time, help="ISO time (CST when no zone)")
    parser.add_argument("--to", dest="end", required=True, type=_time, help="ISO time (CST when no zone)")
    parser.add_argument("--ps-id", action="append", dest="ps_ids", help="only these enterprises (repeatable)")
    parser.add_argument("--output", help="write the records as JSON to this file (input of `accuracy`)")
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument("--registry-url", help="default: FBJD_REGISTRY_URL")
    return parser


def write_report(report: ReplayReport, out: Any = None) -> None:
    out = out or sys.stdout
    out.write(f"enterprises {report.enterprises}  readings {report.readings}\n")
    for kind in AbnormalType:
        out.write(f"{kind.value:<20} {report.by_type.get(kind.value, 0)}\n")
    out.write(
        f"time total {report.total_s:.2f} s (read {report.fetch_s:.2f} s, judge {report.evaluate_s:.2f} s)  "
        f"{report.readings_per_s:,.0f} readings/s end to end, {report.evaluated_per_s:,.0f} readings/s judged\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    from fbjd_rules.config import Settings, service_token
    from fbjd_rules.evaluation.registry_client import RegistryClient

    args = build_parser().parse_args(argv)
    if args.end <= args.start:
        raise InvalidInput("--to must be after --from")
    settings = Settings()  # type: ignore[call-arg]
    dsn = args.database_url or settings.require_database_url()

    async def run() -> ReplayReport:
        registry = RegistryClient(
            args.registry_url or settings.registry_url,
            lambda: service_token(settings),
            changes_ttl_s=3600.0,
            periods_ttl_s=3600.0,
        )
        try:
            return await replay(
                dsn=dsn,
                start=args.start,
                end=args.end,
                source=registry,
                params=settings.rule_params(),
                ps_ids=args.ps_ids,
            )
        finally:
            await registry.aclose()

    try:
        report = asyncio.run(run())
    except RulesError as exc:
        sys.stderr.write(f"replay failed: {exc.message}\n")
        return 2
    write_report(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump([abnormal_json(a) for a in report.abnormals], handle, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
