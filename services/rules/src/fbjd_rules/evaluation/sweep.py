"""The periodic sweep (APScheduler): what time alone changes, with no reading to trigger it.

- a record still marked ongoing whose data stopped: re-evaluate so it closes (its end stays where data ended);
- a terminal silent for `offline_intervals` data intervals: a terminal-offline finding (closed by its next data);
- a control period that began: every enterprise it may cover is re-evaluated from the period's start;
- data stored without a notification reaching us (ingest crashed before sending it): found by `received_at`
  in `ingest.readings_v1` and evaluated like a notification (the notification is the fast path, the readings
  are the truth);
- after each China-Standard-Time day, every point's transmission rate of that day (and of the month, after its
  last day): below 90 % is a maintenance finding (judged again, and corrected or withdrawn, when late data lands
  in its period: `evaluation.transmission`);
- nightly, threshold learning over the last weeks for every known enterprise (proposals only).
Each job runs in its own transactions and logs instead of raising, so one failure never stops the schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fbjd_core.time import from_cst, now, to_cst
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_rules.abnormals import repository as abnormals
from fbjd_rules.engine.params import RuleParams
from fbjd_rules.errors import RulesError
from fbjd_rules.evaluation import repository, transmission
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.evaluation.topology import parse_time
from fbjd_rules.findings import service as findings
from fbjd_rules.readings import repository as readings
from fbjd_rules.thresholds import service as thresholds

__all__ = ["Sweep"]

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)


@dataclass
class Sweep:
    sessionmaker: async_sessionmaker[AsyncSession]
    registry: RegistryClient
    params: RuleParams
    wake_worker: Callable[[], None] | None = None
    learning_days: int = 14
    catch_up_days: int = 2
    seen_periods: set[str] = field(default_factory=set)
    received_watermark: datetime | None = None

    def _wake(self) -> None:
        if self.wake_worker is not None:
            self.wake_worker()

    async def close_stale_ongoing(self) -> int:
        moment = now()
        async with self.sessionmaker() as session, session.begin():
            stale = await abnormals.stale_ongoing(session, ended_before=moment - STALE_AFTER)
            for ps_id, start in stale:
                await repository.mark_dirty(session, ps_id=ps_id, start=start, now=moment)
        if stale:
            self._wake()
        return len(stale)

    async def offline_terminals(self) -> int:
        moment, opened = now(), 0
        async with self.sessionmaker() as session, session.begin():
            for device in await repository.silent_devices(session, now=moment, intervals=self.params.offline_intervals):
                state = await repository.get(session, device.ps_id)
                opened += await findings.offline_started(
                    session,
                    ps_id=device.ps_id,
                    county=None if state is None else state.county,
                    mn=device.mn,
                    last_data_at=device.last_data_at,
                    interval_s=device.interval_s,
                    now=moment,
                )
        return opened

    async def control_periods_started(self) -> int:
        moment = now()
        try:
            periods = await self.registry.active_periods(moment)
        except RulesError as exc:
            log.warning("control periods unavailable", extra={"error": exc.message})
            return 0
        fresh = [p for p in periods if str(p["id"]) not in self.seen_periods]
        async with self.sessionmaker() as session, session.begin():
            for period in fresh:
                start = parse_time(period["starts_at"])
                counties = period.get("counties") or [None]
                for county in counties:
                    for ps_id in await repository.all_enterprises(session, county=county):
                        await repository.mark_dirty(session, ps_id=ps_id, start=start, now=moment)
        self.seen_periods.update(str(p["id"]) for p in fresh)
        if fresh:
            log.info("control periods began", extra={"periods": [str(p["id"]) for p in fresh]})
            self._wake()
        return len(fresh)

    async def catch_up(self) -> int:
        """Mark dirty the enterprises with data stored after their last evaluation that nobody told us about."""
        moment = now()
        watermark = self.received_watermark or moment - timedelta(hours=1)
        marked = 0
        async with self.sessionmaker() as session, session.begin():
            rows = await readings.received_since(
                session, received_after=watermark, data_after=moment - timedelta(days=self.catch_up_days)
            )
            for ps_id, mn, first, last, received in rows:
                state = await repository.get(session, ps_id)
                if state is not None and state.last_evaluated_at is not None and state.last_evaluated_at >= received:
                    continue
                await repository.mark_dirty(session, ps_id=ps_id, start=first, now=moment, last_data_at=last)
                await repository.touch_device(
                    session, mn=mn, ps_id=ps_id, last_data_at=last, interval_s=None, now=moment
                )
                marked += 1
        self.received_watermark = max([watermark, *(row[4] for row in rows)])
        if marked:
            log.info("data without notification caught up", extra={"windows": marked})
            self._wake()
        return marked

    async def _rates(self, session: AsyncSession, ps_id: str, start: datetime, end: datetime, period: str) -> int:
        state = await repository.get(session, ps_id)
        county = None if state is None else state.county
        return await transmission.judge_period(
            session, ps_id=ps_id, county=county, start=start, end=end, period=period, params=self.params, now=now()
        )

    async def transmission_rates(self, day: date | None = None) -> int:
        """Transmission rate of every point over CST `day` (default yesterday), and over its month when `day`
        is the month's last day; findings where below the minimum. Returns findings touched."""
        moment = now()
        day = day or to_cst(moment).date() - timedelta(days=1)
        day_start = from_cst(datetime(day.year, day.month, day.day))
        windows = [(day_start, day_start + timedelta(days=1), day.isoformat())]
        if (day + timedelta(days=1)).day == 1:
            first = from_cst(datetime(day.year, day.month, 1))
            windows.append((first, day_start + timedelta(days=1), f"{day:%Y-%m}"))
        touched = 0
        async with self.sessionmaker() as session:
            ps_ids = await repository.all_enterprises(session)
        for ps_id in ps_ids:
            async with self.sessionmaker() as session, session.begin():
                for start, end, period in windows:
                    touched += await self._rates(session, ps_id, start, end, period)
        return touched

    async def learn_thresholds(self) -> int:
        moment, learned = now(), 0
        async with self.sessionmaker() as session:
            ps_ids = await repository.all_enterprises(session)
        for ps_id in ps_ids:
            try:
                async with self.sessionmaker() as session, session.begin():
                    learned += len(
                        await thresholds.learn_for_enterprise(
                            session,
                            registry=self.registry,
                            ps_id=ps_id,
                            end=moment,
                            days=self.learning_days,
                            now=moment,
                        )
                    )
            except RulesError as exc:
                log.warning("threshold learning failed", extra={"ps_id": ps_id, "error": exc.message})
        return learned

    def scheduler(self, interval_s: float) -> AsyncIOScheduler:
        """The jobs on an AsyncIOScheduler (not started); the app starts and stops it in its lifespan."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        every = {"trigger": "interval", "seconds": interval_s, "max_instances": 1, "coalesce": True}
        scheduler.add_job(self.close_stale_ongoing, id="close_stale_ongoing", **every)
        scheduler.add_job(self.offline_terminals, id="offline_terminals", **every)
        scheduler.add_job(self.control_periods_started, id="control_periods_started", **every)
        scheduler.add_job(
            self.catch_up, "interval", seconds=max(interval_s, 300.0), id="catch_up", max_instances=1, coalesce=True
        )
        scheduler.add_job(
            self.transmission_rates, "cron", hour=16, minute=20, id="transmission_rates", max_instances=1, coalesce=True
        )  # 00:20 China Standard Time, for the day that ended
        scheduler.add_job(
            self.learn_thresholds, "cron", hour=19, minute=30, id="learn_thresholds", max_instances=1, coalesce=True
        )  # 03:30 China Standard Time
        return scheduler
