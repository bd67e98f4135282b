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
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals import repository as abnormals
from fbjd_rules.abnormals import service as records
from fbjd_rules.engine.device import DeviceFinding, device_findings
from fbjd_rules.engine.evaluate import EvaluationInput, EvaluationResult, evaluate
from fbjd_rules.engine.model import ControlAction, TopologyVersion
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.engine.records import AbnormalType
from fbjd_rules.engine.series import IntArray, PointSeries
from fbjd_rules.engine.terminal_power import power_fault_stretches, restart_power_offs
from fbjd_rules.evaluation import transmission
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.findings import service as findings
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import device_samples, group_rows, restarts, series_for_points, status_samples

__all__ = ["HOLD", "WIDENING", "Evaluator", "Outcome", "floor_minute", "load_series"]

log = logging.getLogger(__name__)

ALL_TYPES = tuple(t.value for t in AbnormalType)
WIDENING = (timedelta(hours=6), timedelta(days=1), timedelta(days=7))
HOLD = timedelta(hours=1)  # a sample this long before the window can still describe its first minutes
POWER_OFF_LOOKBACK = timedelta(days=7)  # a terminal's last data before a reported power-on is looked for this far


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


async def load_series(
    session: AsyncSession,
    ps_id: str,
    versions: list[TopologyVersion],
    load_from: datetime,
    until: datetime,
    params: RuleParams,
) -> tuple[dict[str, PointSeries], int]:
    """The enterprise's power series from readings_v1 over [load_from, until + 1 min), and the rows read: what
    every judgement of the enterprise works on (the evaluation's, and the stretches' audit)."""
    rows = await readings.for_enterprise(session, ps_id=ps_id, start=load_from, end=until + timedelta(minutes=1))
    rated = {p.id: p.rated_kw for v in versions for p in v.topology.points}
    series = series_for_points(group_rows(rows), rated_kw=rated, implausible_factor=params.implausible_factor)
    return series, len(rows)


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
        series, count = await load_series(session, ps_id, versions, load_from, now, self.params)
        data = EvaluationInput(ps_id, since, now, now, versions, series, controls, self.params)
        return evaluate(data), count

    async def _device_findings(
        self, session: AsyncSession, ps_id: str, county: str | None, since: datetime, now: datetime
    ) -> int:
        """Rule 5 power-off, stuck values, clock skew and terminal power-off over the window (read back far enough
        that a stuck stretch or an outage touching the window is seen from its start): operations findings for
        the maintenance outbox; one begun in the window that the data (late data included) no longer shows is
        withdrawn. Then the transmission-rate findings of periods the window's late data falls in are judged again.
        """
        load_from = since - timedelta(hours=self.params.stuck_hours) - HOLD
        end = now + timedelta(minutes=1)
        rows = await readings.device_rows(session, ps_id=ps_id, start=load_from, end=end)
        found = device_findings(
            device_samples(rows), start=int(since.timestamp()), end=int(end.timestamp()), params=self.params
        )
        power_offs = await self._terminal_power_offs(session, ps_id, since, load_from, end)
        touched = await findings.record_device_findings(
            session, ps_id=ps_id, county=county, found=[*found, *power_offs], now=now, window=(since, end)
        )
        touched += await findings.explain_offline(session, found=power_offs, now=now)
        return touched + await transmission.rejudge_after(
            session, ps_id=ps_id, county=county, after=since, params=self.params, now=now
        )

    async def _terminal_power_offs(
        self, session: AsyncSession, ps_id: str, since: datetime, load_from: datetime, end: datetime
    ) -> list[DeviceFinding]:
        """Power-offs the terminals reported: 2081 power-ons in the window (with each terminal's data from up to
        `POWER_OFF_LOOKBACK` before), and instrument status i12001 = 6."""
        reported = restarts(await readings.restarts(session, ps_id=ps_id, start=since, end=end))
        times: dict[str, IntArray] = {}
        for mn in sorted({r.mn for r in reported}):
            earliest = datetime.fromtimestamp(min(r.power_on for r in reported if r.mn == mn), UTC)
            known = await readings.terminal_times(session, mn=mn, start=earliest - POWER_OFF_LOOKBACK, end=end)
            times[mn] = np.asarray(known, dtype=np.int64)
        found = restart_power_offs(reported, times, params=self.params)
        status = status_samples(await readings.status_rows(session, ps_id=ps_id, start=load_from, end=end))
        found += power_fault_stretches(
            status, start=int(since.timestamp()), end=int(end.timestamp()), params=self.params
        )
        return found

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
