"""One enterprise's rule 1 stretches over a window, judged on demand exactly as the evaluation judges (registry
as of the data, the same series from readings_v1, the same engine), compared with the stored records; nothing
is written.

The window is widened as the evaluation widens it: back (6 h, 1 day, 7 days) while a stretch of the condition
begins at its first minute, so a stretch is judged from its true start (its length, and so whether it is
`abnormal` or `short`, and the record's identity depend on it); and on (by the same steps, never past now)
while one runs into its last minute. Stretches touching [from, to) are listed with their whole extent.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from fbjd_core.auth import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.engine import EvaluationInput, RuleParams, TreatmentStretch, stretches
from fbjd_rules.engine.grid import version_at
from fbjd_rules.engine.model import TopologyVersion
from fbjd_rules.engine.records import AbnormalType, record_id
from fbjd_rules.errors import EnterpriseUnknown, InvalidInput, RecordNotFound
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.evaluation.service import HOLD, WIDENING, floor_minute, load_series
from fbjd_rules.stretches.repository import open_treatment_records
from fbjd_rules.stretches.schemas import PairOut, StretchesOut, StretchOut

__all__ = ["MAX_WINDOW", "enterprise_stretches"]

log = logging.getLogger(__name__)

MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class _Judgement:
    found: list[TreatmentStretch]
    versions: list[TopologyVersion]
    since: datetime
    until: datetime


def _not_found(ps_id: str) -> RecordNotFound:
    return RecordNotFound(f"企业 {ps_id} 不存在或不在您的管辖范围内")


async def _check_scope(registry: RegistryClient, principal: Principal, ps_id: str) -> None:
    """An unknown enterprise, or one of another county for a county user, answers alike (404)."""
    try:
        instants = await registry.change_instants(ps_id)
        latest = await registry.topology_at(ps_id, instants[-1]) if instants else None
    except EnterpriseUnknown as exc:
        raise _not_found(ps_id) from exc
    if latest is None or (principal.role is Role.COUNTY and latest.county != principal.county):
        raise _not_found(ps_id)


def _runs_on(found: list[TreatmentStretch], until: datetime) -> bool:
    return any(s.kind != "unknown" and s.end >= until for s in found)


async def _judged(
    session: AsyncSession,
    registry: RegistryClient,
    params: RuleParams,
    *,
    ps_id: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> _Judgement:
    since, until = floor_minute(start), min(end, now)
    back, on = list(WIDENING), list(WIDENING)
    while True:
        versions = await registry.versions(ps_id, since, until)
        if not versions:
            return _Judgement([], [], since, until)
        series, _count = await load_series(session, ps_id, versions, since - HOLD, until, params)
        result = stretches(EvaluationInput(ps_id, since, until, until, versions, series, (), params))
        widen_back = result.truncated and bool(back)
        widen_on = until < now and _runs_on(result.stretches, until) and bool(on)
        if not widen_back and not widen_on:
            return _Judgement(result.stretches, versions, since, until)
        if widen_back:
            since -= back.pop(0)
        if widen_on:
            until = min(now, until + on.pop(0))


def _covering(stretch: TreatmentStretch, ps_id: str, records: dict[uuid.UUID, AbnormalRecord]) -> AbnormalRecord | None:
    """The record made of this stretch (same identity), else an open record of the same node overlapping it."""
    node = stretch.treatment_point_id
    exact = records.get(
        record_id(AbnormalType.TREATMENT.value, ps_id, stretch.production_facility_id, node, stretch.start)
    )
    if exact is not None:
        return exact
    return next(
        (
            row
            for row in records.values()
            if row.production_facility_id == stretch.production_facility_id
            and row.treatment_point_id == node
            and row.start_at < stretch.end
            and row.end_at > stretch.start
        ),
        None,
    )


def _pairs(judgement: _Judgement, ps_id: str, records: dict[uuid.UUID, AbnormalRecord]) -> list[PairOut]:
    grouped: dict[tuple[str, str, str], list[TreatmentStretch]] = defaultdict(list)
    for stretch in judgement.found:
        grouped[(stretch.production_facility_id, stretch.treatment_facility_id, stretch.treatment_point_id)].append(
            stretch
        )
    pairs = []
    for (production_id, treatment_id, node), found in sorted(grouped.items()):
        topology = version_at(judgement.versions, found[-1].start)
        production = topology.facility(production_id) if topology else None
        treatment = topology.facility(treatment_id) if topology else None
        listed = []
        for stretch in found:
            covering = _covering(stretch, ps_id, records) if stretch.kind == "abnormal" else None
            listed.append(
                StretchOut(
                    kind=stretch.kind,
                    start=stretch.start,
                    end=stretch.end,
                    minutes=stretch.minutes,
                    judgement_minutes=stretch.judgement_minutes,
                    treatment_point_ids=list(stretch.treatment_point_ids),
                    record_id=None if covering is None else covering.id,
                )
            )
        pairs.append(
            PairOut(
                production_facility_id=production_id,
                production_facility_name=production.name if production else production_id,
                treatment_facility_id=treatment_id,
                treatment_facility_name=treatment.name if treatment else treatment_id,
                treatment_point_id=node,
                stretches=listed,
            )
        )
    return pairs


async def enterprise_stretches(
    session: AsyncSession,
    registry: RegistryClient,
    params: RuleParams,
    *,
    principal: Principal,
    ps_id: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> StretchesOut:
    """Rule 1's stretches of `ps_id` touching [start, end) (at most `MAX_WINDOW`), each abnormal one with the
    record that covers it."""
    if end <= start:
        raise InvalidInput(f"窗口结束时间须晚于开始时间：{start.isoformat()} ≥ {end.isoformat()}")
    if end - start > MAX_WINDOW:
        raise InvalidInput(f"窗口最长 {MAX_WINDOW.days} 天")
    await _check_scope(registry, principal, ps_id)
    judgement = await _judged(session, registry, params, ps_id=ps_id, start=start, end=end, now=now)
    judgement = _Judgement(
        [s for s in judgement.found if s.end > start and s.start < end],
        judgement.versions,
        judgement.since,
        judgement.until,
    )
    records: dict[uuid.UUID, AbnormalRecord] = {}
    if any(s.kind == "abnormal" for s in judgement.found):
        rows = await open_treatment_records(session, ps_id=ps_id, start=judgement.since, end=judgement.until)
        records = {row.id: row for row in rows}
    log.info(
        "stretches judged",
        extra={
            "ps_id": ps_id,
            "judged_from": judgement.since.isoformat(),
            "judged_to": judgement.until.isoformat(),
            "stretches": len(judgement.found),
        },
    )
    return StretchesOut(
        ps_id=ps_id,
        start=start,
        end=end,
        judged_from=judgement.since,
        judged_to=judgement.until,
        pairs=_pairs(judgement, ps_id, records),
    )
