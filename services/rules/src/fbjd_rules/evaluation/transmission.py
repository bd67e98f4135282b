"""Judging a point's transmission rate over one period (a CST day or month), first or again.

The nightly sweep judges the day (and month) that ended; late data that lands in a period with an open finding
judges that period again (`Evaluator`). Same identity either way (kind + point + period), so a new judgement
corrects the finding (new rate, new version) while the rate stays below the minimum, and withdraws it once the
late data raised the rate to the minimum: a terminal's backfill never leaves a finding standing nor doubles it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.engine.device import point_rates, transmission_findings
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.findings import repository as findings_repository
from fbjd_rules.findings import service as findings
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import transmission_samples

__all__ = ["judge_period", "rejudge_after"]


async def judge_period(
    session: AsyncSession,
    *,
    ps_id: str,
    county: str | None,
    start: datetime,
    end: datetime,
    period: str,
    params: RuleParams,
    now: datetime,
) -> int:
    """Transmission-rate findings of [start, end): created, corrected or withdrawn. Returns findings touched."""
    rows = await readings.transmission_times(session, ps_id=ps_id, start=start, end=end)
    samples = transmission_samples(rows)
    first, last = int(start.timestamp()), int(end.timestamp())
    found = transmission_findings(samples, start=first, end=last, period=period, params=params)
    touched = await findings.record_device_findings(session, ps_id=ps_id, county=county, found=found, now=now)
    rates = point_rates(samples, start=first, end=last)
    return touched + await findings.withdraw_transmission(
        session, ps_id=ps_id, period=period, found=found, rates=rates, now=now
    )


async def rejudge_after(
    session: AsyncSession, *, ps_id: str, county: str | None, after: datetime, params: RuleParams, now: datetime
) -> int:
    """Judge again the periods with an open transmission-rate finding that data from `after` on falls in."""
    touched = 0
    for start, end, period in await findings_repository.open_transmission_after(session, ps_id=ps_id, after=after):
        touched += await judge_period(
            session, ps_id=ps_id, county=county, start=start, end=end, period=period, params=params, now=now
        )
    return touched
