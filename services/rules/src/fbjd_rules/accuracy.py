"""`fbjd rules accuracy GROUND_TRUTH`: how the records compare with the violations the simulator injected.

Ground truth: JSON, either a list of violations or an object {"violations": [...], "enterprises": [psId...],
"from": ISO, "to": ISO} (the object form lets records of enterprises without any violation count as false).
A violation: {"type", "ps_id", "production_facility_id" (or "production_facility"), "treatment_facility_id"
(or "treatment_facility"; null/absent: any), "start", "end"}.

Records: `--records FILE` (the JSON of `fbjd rules replay --output`), else the open records stored in
rules.abnormals over the truth's range. A record matches a violation of the same type, enterprise and
facilities whose time overlaps it (with a tolerance of `--tolerance-minutes`); matching is one-to-one, largest
overlap first. Printed per type: violations, records, matched, recall, precision, and the start/end error of
the matches (mean and max minutes).

The object form may also list "traps": situations that must produce no record, {"kind", "ps_id",
"treatment_facility_id" (absent: the whole enterprise), "start", "end"} (standby switching, a 14-min off, a fan
straddling its threshold, a resend burst). A trap fooled the rules when a record matching no violation, of its
enterprise (and treatment facility), overlaps it (with the same tolerance). Printed per trap kind: traps, fooled
(must be 0) and the false records among them; those records already count against precision as unmatched.

Entry point for the CLI: `main(argv) -> int` (wired as `fbjd rules accuracy` in fbjd_infra.cli).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from fbjd_core.settings import asyncpg_dsn

from fbjd_rules.abnormals import repository as abnormals
from fbjd_rules.engine.records import AbnormalType
from fbjd_rules.errors import InvalidInput

__all__ = [
    "Interval",
    "Score",
    "Trap",
    "TrapScore",
    "load_traps",
    "load_truth",
    "main",
    "match",
    "score",
    "score_traps",
]


@dataclass(frozen=True, slots=True)
class Interval:
    type: str
    ps_id: str
    production: str
    treatment: str | None
    start: datetime
    end: datetime


@dataclass
class Score:
    truths: int = 0
    records: int = 0
    matched: int = 0
    start_errors: tuple[float, ...] = ()
    end_errors: tuple[float, ...] = ()

    @property
    def recall(self) -> float:
        return self.matched / self.truths if self.truths else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.records if self.records else 1.0


@dataclass(frozen=True, slots=True)
class Trap:
    kind: str
    ps_id: str
    treatment: str | None
    start: datetime
    end: datetime


@dataclass
class TrapScore:
    traps: int = 0
    fooled: int = 0  # traps with at least one false record
    false_records: int = 0  # distinct false records overlapping a trap of this kind


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        from fbjd_core.time import from_cst

        moment = from_cst(moment)
    return moment


def _interval(item: dict[str, Any]) -> Interval:
    try:
        return Interval(
            type=str(item["type"]),
            ps_id=str(item["ps_id"]),
            production=str(item.get("production_facility_id") or item["production_facility"]),
            treatment=item.get("treatment_facility_id", item.get("treatment_facility")),
            start=_time(item["start"]),
            end=_time(item["end"]),
        )
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"not a violation/record: {item!r} ({exc!r})") from exc


def load_truth(document: Any) -> tuple[list[Interval], set[str] | None, datetime | None, datetime | None]:
    """(violations, enterprises or None, from, to) of a ground-truth document."""
    if isinstance(document, list):
        return [_interval(i) for i in document], None, None, None
    if not isinstance(document, dict) or "violations" not in document:
        raise InvalidInput("ground truth must be a list of violations or an object with 'violations'")
    enterprises = set(document["enterprises"]) if document.get("enterprises") else None
    start = _time(document["from"]) if document.get("from") else None
    end = _time(document["to"]) if document.get("to") else None
    return [_interval(i) for i in document["violations"]], enterprises, start, end


def load_traps(document: Any) -> list[Trap]:
    """The traps of a ground-truth document (none in the list form or when it lists none)."""
    if not isinstance(document, dict):
        return []
    try:
        return [
            Trap(
                kind=str(item["kind"]),
                ps_id=str(item["ps_id"]),
                treatment=None if item.get("treatment_facility_id") is None else str(item["treatment_facility_id"]),
                start=_time(item["start"]),
                end=_time(item["end"]),
            )
            for item in document.get("traps") or []
        ]
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"not a trap: {exc!r}") from exc


def _overlap(a: Interval, b: Interval, tolerance: timedelta) -> float:
    return (min(a.end, b.end + tolerance) - max(a.start, b.start - tolerance)).total_seconds()


def _same_subject(truth: Interval, record: Interval) -> bool:
    return (truth.type, truth.ps_id, truth.production) == (record.type, record.ps_id, record.production) and (
        truth.treatment is None or str(truth.treatment) == str(record.treatment)
    )


def match(truths: Sequence[Interval], records: Sequence[Interval], tolerance: timedelta) -> list[tuple[int, int]]:
    """One-to-one (truth index, record index) pairs, largest overlap first."""
    candidates = []
    for ti, truth in enumerate(truths):
        for ri, record in enumerate(records):
            if _same_subject(truth, record) and (gain := _overlap(truth, record, tolerance)) > 0:
                candidates.append((gain, ti, ri))
    used_t, used_r, pairs = set(), set(), []
    for _, ti, ri in sorted(candidates, reverse=True):
        if ti not in used_t and ri not in used_r:
            used_t.add(ti)
            used_r.add(ri)
            pairs.append((ti, ri))
    return pairs


def score(truths: Sequence[Interval], records: Sequence[Interval], tolerance: timedelta) -> dict[str, Score]:
    result: dict[str, Score] = defaultdict(Score)
    for t in truths:
        result[t.type].truths += 1
    for r in records:
        result[r.type].records += 1
    for ti, ri in match(truths, records, tolerance):
        truth, record = truths[ti], records[ri]
        entry = result[truth.type]
        entry.matched += 1
        entry.start_errors += (abs((record.start - truth.start).total_seconds()) / 60,)
        entry.end_errors += (abs((record.end - truth.end).total_seconds()) / 60,)
    return dict(result)


def score_traps(
    traps: Sequence[Trap], truths: Sequence[Interval], records: Sequence[Interval], tolerance: timedelta
) -> dict[str, TrapScore]:
    """Per trap kind: how many traps a false record (one matching no violation) of theirs overlaps."""
    matched = {ri for _, ri in match(truths, records, tolerance)}
    false = [(ri, r) for ri, r in enumerate(records) if ri not in matched]
    result: dict[str, TrapScore] = defaultdict(TrapScore)
    caught: dict[str, set[int]] = defaultdict(set)
    for trap in traps:
        entry = result[trap.kind]
        entry.traps += 1
        hits = {
            ri
            for ri, r in false
            if r.ps_id == trap.ps_id
            and (trap.treatment is None or str(r.treatment) == trap.treatment)
            and r.start < trap.end + tolerance
            and r.end > trap.start - tolerance
        }
        if hits:
            entry.fooled += 1
            caught[trap.kind] |= hits
    for kind, hits in caught.items():
        result[kind].false_records = len(hits)
    return dict(result)


def write_trap_scores(scores: dict[str, TrapScore], out: Any = None) -> None:
    out = out or sys.stdout
    out.write(f"{'trap':<20}{'traps':>7}{'fooled':>8}{'false records':>15}\n")
    for kind in sorted(scores):
        s = scores[kind]
        out.write(f"{kind:<20}{s.traps:>7}{s.fooled:>8}{s.false_records:>15}\n")


def write_scores(scores: dict[str, Score], out: Any = None) -> None:
    out = out or sys.stdout
    out.write(
        f"{'type':<20}{'truth':>7}{'records':>9}{'matched':>9}{'recall':>9}{'precision':>11}"
        f"{'start err min (mean/max)':>27}{'end err min (mean/max)':>25}\n"
    )
    for kind in [t.value for t in AbnormalType] + sorted(set(scores) - {t.value for t in AbnormalType}):
        s = scores.get(kind)
        if s is None:
            continue

        def errors(values: tuple[float, ...]) -> str:
            return f"{sum(values) / len(values):.1f}/{max(values):.1f}" if values else "-"

        out.write(
            f"{kind:<20}{s.truths:>7}{s.records:>9}{s.matched:>9}{s.recall:>9.1%}{s.precision:>11.1%}"
            f"{errors(s.start_errors):>27}{errors(s.end_errors):>25}\n"
        )


async def stored_records(dsn: str, start: datetime, end: datetime, ps_ids: set[str] | None) -> list[Interval]:
    conn = await asyncpg.connect(asyncpg_dsn(dsn))
    try:
        rows = await abnormals.open_between(conn, start=start, end=end)
    finally:
        await conn.close()
    return [
        Interval(
            r["type"], r["ps_id"], r["production_facility_id"], r["treatment_facility_id"], r["start_at"], r["end_at"]
        )
        for r in rows
        if ps_ids is None or r["ps_id"] in ps_ids
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fbjd rules accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("ground_truth", type=Path)
    parser.add_argument("--records", type=Path, help="records JSON from `fbjd rules replay --output`")
    parser.add_argument("--tolerance-minutes", type=float, default=5.0)
    parser.add_argument("--database-url", help="default: DATABASE_URL (when --records is not given)")
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.ground_truth.read_text(encoding="utf-8"))
        truths, enterprises, start, end = load_truth(document)
        traps = load_traps(document)
        scope = enterprises if enterprises is not None else {t.ps_id for t in truths}
        start = start or (min(t.start for t in truths) - timedelta(days=1) if truths else None)
        end = end or (max(t.end for t in truths) + timedelta(days=1) if truths else None)
        if args.records is not None:
            records = [_interval(r) for r in json.loads(args.records.read_text(encoding="utf-8"))]
        else:
            if start is None or end is None:
                raise InvalidInput("an empty ground truth needs 'from' and 'to' to read stored records")
            dsn = args.database_url or os.environ.get("DATABASE_URL") or os.environ.get("FBJD_DATABASE_URL")
            if not dsn:
                raise InvalidInput("no records file and no DATABASE_URL to read stored records from")
            records = asyncio.run(stored_records(dsn, start, end, scope))
        records = [
            r
            for r in records
            if r.ps_id in scope and (start is None or r.end >= start) and (end is None or r.start < end)
        ]
    except (InvalidInput, OSError, json.JSONDecodeError) as exc:
        sys.stderr.write(f"accuracy: {exc}\n")
        return 2
    tolerance = timedelta(minutes=args.tolerance_minutes)
    write_scores(score(truths, records, tolerance))
    if traps:
        write_trap_scores(score_traps(traps, truths, records, tolerance))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
