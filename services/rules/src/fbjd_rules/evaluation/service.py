"""Evaluating one enterprise from a changed instant on: registry as of the data, readings from the view, the core,
then reconciliation of the stored records (all in the caller's transaction: one enterprise per transaction).

The window starts `margin` before the earliest changed reading, and earlier still when an open record overlaps
it (its stretch may change). If the core reports a stretch starting at the window's first minute, the window
is widened (6 h, 1 day, 7 days) until the stretch's real start is inside: the start fixes the record's id.
The window always runs to now, so a stretch that late data extends is seen to its current end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals import repository as abnormals
from fbjd_rules.abnormals import service as records
from fbjd_rules.engine.device import device_findings
from fbjd_rules.engine.evaluate import EvaluationInput, EvaluationResult, evaluate
from fbjd_rules.engine.model import ControlAction, TopologyVersion
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import AbnormalType
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.findings import service as findings
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import device_samples, group_rows, series_for_points

__all__ = ["Evaluator", "Outcome", "floor_minute"]

log = logging.getLogger(__name__)

ALL_TYPES = tuple(t.value for t in AbnormalType)
WIDENING = (timedelta(hours=6), timedelta(days=1), timedelta(days=7))
HOLD = timedelta(hours=1)  # a sample this long before the window can still describe its first minutes


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Outcome:
    since: datetime
    county: str | None
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    readings: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)


@dataclass(frozen=True, slots=True)
class Evaluator:
    registry: RegistryClient
    params: RuleParams
    margin: timedelta = timedelta(hours=1)

    async def _window_start(self, session: AsyncSession, ps_id: str, dirty_from: datetime) -> datetime:
        since = floor_minute(dirty_from - self.margin)
        for row in await abnormals.open_overlapping(session, ps_id=ps_id, after=since):
            since = min(since, floor_minute(row.start_at - self.margin))
        return since

    async def _judge(
        self, session: AsyncSession, ps_id: str, since: datetime, now: datetime, versions: list[TopologyVersion]
    ) -> tuple[EvaluationResult, int]:
        controls = await self.registry.control_spans(versions, since, now, now=now)
        load_from = since - HOLD
        for span in controls:
            if span.action is ControlAction.LIMIT:
                load_from = min(load_from, span.period_start - timedelta(days=self.params.baseline_lookback_days))
        rows = await readings.for_enterprise(session, ps_id=ps_id, start=load_from, end=now + timedelta(minutes=1))
        rated = {p.id: p.rated_kw for v in versions for p in v.topology.points}
        series = series_for_points(group_rows(rows), rated_kw=rated, implausible_factor=self.params.implausible_factor)
        data = EvaluationInput(ps_id, since, now, now, versions, series, controls, self.params)
        return evaluate(data), len(rows)

    async def _device_findings(
        self, session: AsyncSession, ps_id: str, county: str | None, since: datetime, now: datetime
    ) -> int:
        """Rule 5 power-off, stuck values and clock skew over the window (read back far enough that a stuck
        stretch or an outage touching the window is seen from its start): operations findings for the maintenance
        outbox; one begun in the window that the data (late data included) no longer shows is withdrawn."""
        load_from = since - timedelta(hours=self.params.stuck_hours) - HOLD
        end = now + timedelta(minutes=1)
        rows = await readings.device_rows(session, ps_id=ps_id, start=load_from, end=end)
        found = device_findings(
            device_samples(rows), start=int(since.timestamp()), end=int(end.timestamp()), params=self.params
        )
        return await findings.record_device_findings(
            session, ps_id=ps_id, county=county, found=found, now=now, window=(since, end)
        )

    async def run(self, session: AsyncSession, *, ps_id: str, dirty_from: datetime, now: datetime) -> Outcome:
        since = await self._window_start(session, ps_id, dirty_from)
        widening = list(WIDENING)
        while True:
            versions = await self.registry.versions(ps_id, since, now)
            if not versions:
                log.info("no topology for the window; nothing to judge", extra={"ps_id": ps_id})
                return Outcome(since=since, county=None)
            result, count = await self._judge(session, ps_id, since, now, versions)
            if not result.truncated or not widening:
                break
            since -= widening.pop(0)
        county = versions[-1].topology.county
        merged = await records.reconcile(
            session, ps_id=ps_id, since=since, found=result.abnormals, types=ALL_TYPES, now=now
        )
        await findings.record_anomalies(session, ps_id=ps_id, county=county, anomalies=result.anomalies, now=now)
        await self._device_findings(session, ps_id, county, since, now)
        outcome = Outcome(since, county, merged.created, merged.updated, merged.withdrawn, count)
        log.info(
            "evaluated",
            extra={
                "ps_id": ps_id,
                "since": since.isoformat(),
                "readings": count,
                "records_created": merged.created,
                "records_updated": merged.updated,
                "records_withdrawn": merged.withdrawn,
            },
        )
        return outcome
