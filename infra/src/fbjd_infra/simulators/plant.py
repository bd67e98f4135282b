"""The electricity of one enterprise's production line and its treatment, as its meters see it.

A :class:`Plant` is stepped forward in (simulated) time and integrates the power of each meter into its energy
register, so the cumulative kWh always matches the power curve and never goes backwards (unless the spec asks
for a register rollover).  What makes the curves look like a real site:

* production follows a shift schedule (:class:`Schedule`), with start/stop times jittered per day and ramps
  (a first-order lag) instead of steps; off, it still draws a few % of its rated power (controls, heaters);
* treatment (the main fan) starts ``treatment_lead_s`` before production and stops ``treatment_lag_s`` after it;
  the standby fan takes over from the main fan now and then (both meters form one treatment group);
* an optional total-incoming-line meter carries everything plus the site's base load;
* injected violations switch treatment off while production runs, for 20-40 minutes, each well apart from the
  next (:data:`VIOLATION_GAP_S`) and none already under way when the plant begins to report (see
  :meth:`Plant.violation`): every one is a clean stretch whose start and end the minute data show;
* injected traps (:class:`Trap`, ``traps_per_day`` of each kind where the plant has what the kind needs) look
  like violations to a careless judge but are none: the standby fan taking over from the main one (both off for
  at most a few minutes), treatment off for 14 min (one short of the judgement time), a fan running just above
  its threshold; they keep :data:`VIOLATION_GAP_S` from the violations and from each other;
* noise is an AR(1) process per meter; voltage, current and power factor follow from the power.

Everything random is drawn from generators seeded by the spec's seed and the day, so a terminal restarted with
the same seed produces the same schedule (the per-step noise depends on how the plant is stepped).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from fbjd_infra.simulators.clock import local_of, ts_of_local

__all__ = [
    "Schedule",
    "MeterRole",
    "MeterSpec",
    "PlantSpec",
    "MeterPeriod",
    "MeterInstant",
    "PeriodRecord",
    "Plant",
    "Trap",
    "TrapKind",
]

STEP_S = 10.0  # integration step while measuring
FAST_STEP_S = 60.0  # integration step when catching up over a gap nobody reports
MAX_CATCH_UP_S = 2 * 86400.0  # longer gaps (the clock jumped) are skipped, not integrated
PHASE_VOLTAGE = 220.0
DAY_S = 86400.0
#: Quiet time kept between two drawn violations of a plant.  Two that (nearly) touch leave the fan off but for a
#: few seconds: whether a minute average shows that restart depends on where in the minute it falls, so neither
#: "one stretch" nor "two" would be the truth.  Drawn violations never overlap or come closer than this.
VIOLATION_GAP_S = 600.0
VIOLATION_TRIES = 20  # draws tried per violation before that one is left out (a run already full of them)
SHORT_OFF_S = 14 * 60.0  # the short-off trap: one minute short of the 15-min judgement time
HANDOVER_GAP_MAX_S = 180.0  # standby switching: both fans off for at most this long at each handover
STRADDLE_FLOOR = 1.04  # a straddling fan never draws less than this multiple of its threshold (noise included)


class Schedule(StrEnum):
    """When production runs (local CST time)."""

    CONTINUOUS = "continuous"  # kilns, furnaces: 24/7
    THREE_SHIFT = "three-shift"  # 24 h Monday to Friday
    TWO_SHIFT = "two-shift"  # 06:00-22:00 Monday to Saturday
    DAY = "day"  # 08:00-12:00 and 13:00-17:30 Monday to Friday
    NIGHT = "night"  # 20:00-06:00 the nights starting Sunday to Thursday (off-peak tariff)


class MeterRole(StrEnum):
    PRODUCTION = "production"
    TREATMENT_MAIN = "treatment-main"
    TREATMENT_STANDBY = "treatment-standby"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class MeterSpec:
    """One meter.  ``channel`` is the device number its factor codes carry, unique within a terminal (profiles
    like ``vendor-ea3001`` do not tell production and treatment apart by code)."""

    key: str
    role: MeterRole
    channel: int
    name: str
    rated_kw: float
    idle_share: float  # off-state draw as a share of rated power
    load_factor: float  # running draw as a share of rated power
    pf_run: float  # power factor at load
    initial_kwh: float
    rollover_kwh: float | None = None  # register wraps to 0 here (e.g. 999999.99 for a 6-digit register)
    group: str | None = None  # treatment: main and standby fans of one facility share a group
    code_group: str | None = None  # factor-code family ("production"/"treatment") when not implied by the role
    registry_threshold_kw: float | None = None  # the on/off threshold the registry (and so the rules) use

    @property
    def threshold_kw(self) -> float:
        """The registry's threshold, else a sensible one: well above idle draw, well below running draw."""
        if self.registry_threshold_kw is not None:
            return self.registry_threshold_kw
        return self.rated_kw * (self.idle_share + 0.25 * (self.load_factor - self.idle_share))


@dataclass(frozen=True, slots=True)
class PlantSpec:
    seed: str
    schedule: Schedule
    meters: tuple[MeterSpec, ...]
    treatment_lead_s: float = 300.0
    treatment_lag_s: float = 900.0
    switchovers_per_day: float = 0.3  # chance per day that the standby fan runs for a few hours instead of main
    violations_per_day: float = 0.0  # expected injected "production on, treatment off" stretches per day
    traps_per_day: float = 0.0  # expected traps of each kind per day (see :class:`TrapKind`)

    def meter(self, role: MeterRole) -> MeterSpec | None:
        return next((m for m in self.meters if m.role is role), None)


class TrapKind(StrEnum):
    """Situations that must not produce an abnormal record."""

    STANDBY_SWITCHING = "standby_switching"  # the standby fan of a group takes over from the main one and back
    SHORT_OFF = "short_off"  # all treatment off for 14 min while production runs
    THRESHOLD_STRADDLE = "threshold_straddle"  # a fan draws just above its threshold (×1.05-1.3) while producing
    RESEND_BURST = "resend_burst"  # the terminal was offline and resends this window's history (terminal.py)


@dataclass(frozen=True, slots=True)
class Trap:
    """One trap of a plant, [start, end) POSIX seconds.  ``meter``: the treatment meter it concerns (standby
    switching: the group's main fan); ``gaps``: standby switching, how long both fans are off at the handover
    and at the handback."""

    kind: TrapKind
    start: float
    end: float
    meter: str | None = None
    gaps: tuple[float, float] = (0.0, 0.0)

    def straddle_level(self, ts: float) -> float:
        """Threshold straddling: the multiple of its threshold the fan draws at ``ts``, wandering in 1.075-1.275
        (periods of 17 and 5 min; the noise adds a few % either way and :data:`STRADDLE_FLOOR` stops it)."""
        t = ts - self.start
        return 1.175 + 0.07 * math.sin(2 * math.pi * t / 1020.0) + 0.03 * math.sin(2 * math.pi * t / 300.0)


@dataclass(frozen=True, slots=True)
class MeterPeriod:
    """What a meter measured over one period (minute data)."""

    p_avg: float
    p_min: float
    p_max: float
    energy_start: float  # register reading at the period start (after rollover)
    energy_end: float  # register reading at the period end
    energy_used: float  # kWh consumed in the period (exact, rollover-proof)
    current_avg: float
    voltage_avg: tuple[float, float, float]
    pf_avg: float


@dataclass(frozen=True, slots=True)
class MeterInstant:
    """A meter's instantaneous values (real-time data)."""

    p: float
    energy: float
    current: float
    voltage: tuple[float, float, float]
    pf: float


@dataclass(frozen=True, slots=True)
class PeriodRecord:
    """One period of every meter of a plant.  ``start_ts``/``end_ts`` are the terminal's clock (POSIX s)."""

    start_ts: float
    end_ts: float
    meters: dict[str, MeterPeriod]

    @property
    def data_time(self) -> datetime:
        """DataTime of minute/hour data: the period start, naive CST."""
        return local_of(self.start_ts)


@dataclass
class _MeterState:
    spec: MeterSpec
    p: float = 0.0
    noise: float = 0.0
    v_noise: float = 0.0
    energy: float = 0.0  # unrolled register
    # period aggregation
    agg_t: float = 0.0
    agg_p: float = 0.0
    agg_min: float = math.inf
    agg_max: float = -math.inf
    agg_i: float = 0.0
    agg_v: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    agg_pf: float = 0.0
    agg_energy0: float = 0.0

    def register(self, energy: float) -> float:
        roll = self.spec.rollover_kwh
        return energy % roll if roll else energy

    def pf(self) -> float:
        load = self.p / self.spec.rated_kw if self.spec.rated_kw else 0.0
        idle_pf = 0.45
        return round(idle_pf + (self.spec.pf_run - idle_pf) * min(1.0, load / max(self.spec.load_factor, 0.1)), 3)

    def voltages(self) -> tuple[float, float, float]:
        base = PHASE_VOLTAGE * (1.0 + 0.008 * self.v_noise)
        return (base, base * 1.003, base * 0.996)

    def current(self, voltages: tuple[float, float, float], pf: float) -> float:
        return self.p * 1000.0 / (3.0 * (sum(voltages) / 3.0) * max(pf, 0.05))

    def reset_aggregate(self) -> None:
        self.agg_t = self.agg_p = self.agg_i = self.agg_pf = 0.0
        self.agg_min, self.agg_max = math.inf, -math.inf
        self.agg_v = [0.0, 0.0, 0.0]
        self.agg_energy0 = self.energy


@dataclass(frozen=True, slots=True)
class _Day:
    production: tuple[tuple[float, float], ...]  # POSIX (start, end) of production runs that start this day
    switchover: tuple[float, float] | None
    violations: tuple[tuple[float, float], ...]
    traps: tuple[Trap, ...] = ()


class Plant:
    """The meters of one terminal, integrated step by step."""

    def __init__(self, spec: PlantSpec) -> None:
        self.spec = spec
        self._rng = random.Random(f"{spec.seed}:noise")
        self._states = {m.key: _MeterState(m, energy=m.initial_kwh) for m in spec.meters}
        self._days: dict[date, _Day] = {}
        self._extra_violations: list[tuple[float, float]] = []
        # the standby fan takes over only in groups that have one; a lone main fan keeps running
        self._standby_groups = {m.group for m in spec.meters if m.role is MeterRole.TREATMENT_STANDBY}
        self.t: float | None = None
        self.began: float | None = None  # the first instant the plant was integrated from (its first report)

    # -- schedule ---------------------------------------------------------------------------------------------
    def inject_violation(self, start_ts: float, duration_s: float) -> None:
        """Switch treatment off from ``start_ts`` for ``duration_s`` (whatever production does then)."""
        self._extra_violations.append((start_ts, start_ts + duration_s))

    def _day(self, day: date) -> _Day:
        found = self._days.get(day)
        if found is None:
            if len(self._days) > 16:
                self._days.clear()
            found = self._days[day] = self._build_day(day)
        return found

    def _build_day(self, day: date) -> _Day:
        rng = random.Random(f"{self.spec.seed}:{day.isoformat()}")
        midnight = ts_of_local(datetime.combine(day, time()))
        runs = [
            (
                midnight + a + (rng.uniform(-600, 600) if jitter_start else 0.0),
                midnight + b + (rng.uniform(-600, 600) if jitter_end else 0.0),
            )
            for a, b, jitter_start, jitter_end in _shift_hours(self.spec.schedule, day)
        ]
        switchover = None
        if rng.random() < self.spec.switchovers_per_day:
            start = midnight + rng.uniform(0, DAY_S)
            switchover = (start, start + rng.uniform(2, 8) * 3600)
        count = _poisson(rng, self.spec.violations_per_day)
        running = [(a, b) for a, b in runs if b - a > 3600]
        violations = _draw_violations(rng, running, count) if running else ()
        traps: tuple[Trap, ...] = ()
        if running and self.spec.traps_per_day > 0:  # own generator: the violations stay what they were
            trap_rng = random.Random(f"{self.spec.seed}:{day.isoformat()}:traps")
            traps = _draw_traps(trap_rng, running, violations, self._trap_subjects(), self.spec.traps_per_day)
        return _Day(tuple(runs), switchover, violations, traps)

    def _trap_subjects(self) -> list[tuple[TrapKind, str | None]]:
        """The traps this plant's meters allow: a short off needs production and treatment, standby switching a
        group with a standby fan, straddling a treatment fan (each such fan or group is a candidate)."""
        meters = self.spec.meters
        mains = [m for m in meters if m.role is MeterRole.TREATMENT_MAIN]
        subjects: list[tuple[TrapKind, str | None]] = []
        if mains and any(m.role is MeterRole.PRODUCTION for m in meters):
            subjects.append((TrapKind.SHORT_OFF, None))
            subjects += [(TrapKind.STANDBY_SWITCHING, m.key) for m in mains if m.group in self._standby_groups]
            subjects += [(TrapKind.THRESHOLD_STRADDLE, m.key) for m in mains]
        return subjects

    def traps_between(self, start: float, end: float) -> list[Trap]:
        """The drawn traps that begin in [start, end), once the plant was reporting."""
        began = max(start, -math.inf if self.began is None else self.began)
        day, last = local_of(start).date() - timedelta(days=1), local_of(end).date()
        found: list[Trap] = []
        while day <= last:
            found += [trap for trap in self._day(day).traps if began <= trap.start < end]
            day += timedelta(days=1)
        return sorted(found, key=lambda trap: trap.start)

    def _active_traps(self, ts: float) -> list[Trap]:
        return [t for day in self._days_around(ts) for t in day.traps if t.start <= ts < t.end]

    def _days_around(self, ts: float) -> tuple[_Day, _Day]:
        today = local_of(ts).date()
        return self._day(today - timedelta(days=1)), self._day(today)

    def production_on(self, ts: float) -> bool:
        return any(a <= ts < b for day in self._days_around(ts) for a, b in day.production)

    def treatment_demanded(self, ts: float) -> bool:
        spec = self.spec
        return any(
            a - spec.treatment_lead_s <= ts < b + spec.treatment_lag_s
            for day in self._days_around(ts)
            for a, b in day.production
        )

    def violation(self, ts: float) -> bool:
        """Treatment switched off at ``ts``: an injected violation, or a drawn one that began once the plant was
        reporting (one under way at its first report is left out: the data would show only its tail, shorter
        than it really was and maybe shorter than the judgement time)."""
        if any(a <= ts < b for a, b in self._extra_violations):
            return True
        began = -math.inf if self.began is None else self.began
        return any(began <= a <= ts < b for day in self._days_around(ts) for a, b in day.violations)

    def standby_active(self, ts: float) -> bool:
        return any(d.switchover is not None and d.switchover[0] <= ts < d.switchover[1] for d in self._days_around(ts))

    def _targets(self, ts: float) -> dict[str, float]:
        prod_on = self.production_on(ts)
        traps = self._active_traps(ts)
        short_off = any(t.kind is TrapKind.SHORT_OFF for t in traps)
        treat_on = self.treatment_demanded(ts) and not self.violation(ts) and not short_off
        standby = bool(self._standby_groups) and self.standby_active(ts)
        switched = self._switched_groups(ts, traps)  # group -> standby running (False: both off, a handover)
        straddling = {t.meter: t for t in traps if t.kind is TrapKind.THRESHOLD_STRADDLE}
        targets: dict[str, float] = {}
        for key, st in self._states.items():
            m = st.spec
            if m.role is MeterRole.TOTAL:
                continue
            if m.role is MeterRole.PRODUCTION:
                running = prod_on
            elif m.group in switched:
                running = treat_on and m.role is MeterRole.TREATMENT_STANDBY and switched[m.group]
            elif m.role is MeterRole.TREATMENT_STANDBY:
                running = treat_on and standby
            else:
                running = treat_on and not (standby and m.group in self._standby_groups)
            if key in straddling and treat_on:
                targets[key] = m.threshold_kw * straddling[key].straddle_level(ts)
                continue
            share = m.load_factor if running else m.idle_share
            targets[key] = m.rated_kw * share
        return targets

    def _switched_groups(self, ts: float, traps: list[Trap]) -> dict[str | None, bool]:
        """Groups under a standby-switching trap at ``ts``: whether their standby fan runs (not in a handover)."""
        switched: dict[str | None, bool] = {}
        for trap in traps:
            if trap.kind is TrapKind.STANDBY_SWITCHING:
                handing_over = ts < trap.start + trap.gaps[0] or ts >= trap.end - trap.gaps[1]
                switched[self._states[trap.meter].spec.group if trap.meter else None] = not handing_over
        return switched

    def _straddle_floor(self, ts: float) -> dict[str, float]:
        """Meters straddling their threshold at ``ts``: the least they may draw (noise never takes them under)."""
        return {
            t.meter: self._states[t.meter].spec.threshold_kw * STRADDLE_FLOOR
            for t in self._active_traps(ts)
            if t.kind is TrapKind.THRESHOLD_STRADDLE and t.meter is not None
        }

    # -- stepping ---------------------------------------------------------------------------------------------
    def _step(self, ts: float, dt: float, aggregate: bool) -> None:
        targets = self._targets(ts)
        floors = self._straddle_floor(ts) if self.spec.traps_per_day > 0 else {}
        rng = self._rng
        others = 0.0
        total: _MeterState | None = None
        for key, st in self._states.items():
            m = st.spec
            st.noise = 0.95 * st.noise + rng.gauss(0.0, 0.3)
            st.v_noise = 0.9 * st.v_noise + rng.gauss(0.0, 0.3)
            if m.role is MeterRole.TOTAL:
                total = st
                continue
            tau = 90.0 if m.role is MeterRole.PRODUCTION else 20.0
            target = targets[key] * (1.0 + 0.03 * st.noise)
            st.p = max(floors.get(key, 0.0), st.p + (target - st.p) * (1.0 - math.exp(-dt / tau)))
            others += st.p
        if total is not None:
            hour = local_of(ts).hour
            base = total.spec.rated_kw * total.spec.idle_share * (1.6 if 8 <= hour < 18 else 1.0)
            total.p = max(0.0, (others + base) * (1.0 + 0.005 * total.noise))
        for st in self._states.values():
            st.energy += st.p * dt / 3600.0
            if aggregate:
                pf = st.pf()
                volts = st.voltages()
                st.agg_t += dt
                st.agg_p += st.p * dt
                st.agg_min = min(st.agg_min, st.p)
                st.agg_max = max(st.agg_max, st.p)
                st.agg_i += st.current(volts, pf) * dt
                st.agg_pf += pf * dt
                for i in range(3):
                    st.agg_v[i] += volts[i] * dt

    def _start(self, ts: float) -> None:
        self.t = self.began = ts
        for key, target in self._targets(ts).items():
            self._states[key].p = target
        for st in self._states.values():
            st.reset_aggregate()

    def advance(self, to_ts: float) -> None:
        """Integrate up to ``to_ts``, adding to the current period's aggregates."""
        if self.t is None:
            self._start(to_ts)
            return
        if to_ts - self.t > MAX_CATCH_UP_S:  # the clock jumped: skip, the registers just do not move
            self.t = to_ts - STEP_S
        while self.t < to_ts:
            dt = min(STEP_S, to_ts - self.t)
            self._step(self.t + dt, dt, aggregate=True)
            self.t += dt

    def catch_up(self, to_ts: float) -> None:
        """Integrate up to ``to_ts`` without reporting (a gap: before the first period, or after a clock jump)."""
        if self.t is None:
            self._start(to_ts)
            return
        if to_ts - self.t > MAX_CATCH_UP_S:
            self.t = to_ts
        while self.t < to_ts:
            dt = min(FAST_STEP_S, to_ts - self.t)
            self._step(self.t + dt, dt, aggregate=False)
            self.t += dt
        for st in self._states.values():
            st.reset_aggregate()

    def close_period(self, start_ts: float, end_ts: float) -> PeriodRecord:
        """Integrate up to ``end_ts`` and return the aggregates since the previous close (or catch-up)."""
        self.advance(end_ts)
        meters: dict[str, MeterPeriod] = {}
        for key, st in self._states.items():
            if st.agg_t <= 0:  # nothing integrated (first call): report the instant
                pf = st.pf()
                volts = st.voltages()
                st.agg_t, st.agg_p, st.agg_min, st.agg_max = 1.0, st.p, st.p, st.p
                st.agg_i, st.agg_pf, st.agg_v = st.current(volts, pf), pf, list(volts)
            t = st.agg_t
            meters[key] = MeterPeriod(
                p_avg=st.agg_p / t,
                p_min=st.agg_min,
                p_max=st.agg_max,
                energy_start=st.register(st.agg_energy0),
                energy_end=st.register(st.energy),
                energy_used=st.energy - st.agg_energy0,
                current_avg=st.agg_i / t,
                voltage_avg=(st.agg_v[0] / t, st.agg_v[1] / t, st.agg_v[2] / t),
                pf_avg=st.agg_pf / t,
            )
            st.reset_aggregate()
        return PeriodRecord(start_ts, end_ts, meters)

    def instant(self, ts: float) -> dict[str, MeterInstant]:
        """Instantaneous values at ``ts`` (integrating up to it; the current period keeps aggregating)."""
        self.advance(ts)
        out: dict[str, MeterInstant] = {}
        for key, st in self._states.items():
            pf = st.pf()
            volts = st.voltages()
            out[key] = MeterInstant(st.p, st.register(st.energy), st.current(volts, pf), volts, pf)
        return out


def _shift_hours(schedule: Schedule, day: date) -> list[tuple[float, float, bool, bool]]:
    """Production runs starting on ``day``: (start, end) seconds after its midnight (end may pass 24 h), and
    whether each end is jittered.  Runs of consecutive days that meet at midnight are not jittered there, so
    round-the-clock production has no gap."""
    weekday = day.weekday()  # Monday 0
    h = 3600.0
    if schedule is Schedule.CONTINUOUS:
        return [(0.0, 24 * h, False, False)]
    if schedule is Schedule.THREE_SHIFT:
        return [(0.0, 24 * h, weekday == 0, weekday == 4)] if weekday < 5 else []
    if schedule is Schedule.TWO_SHIFT:
        return [(6 * h, 22 * h, True, True)] if weekday < 6 else []
    if schedule is Schedule.DAY:
        return [(8 * h, 12 * h, True, True), (13 * h, 17.5 * h, True, True)] if weekday < 5 else []
    # NIGHT: nights starting Sunday..Thursday
    return [(20 * h, 30 * h, True, True)] if weekday in (6, 0, 1, 2, 3) else []


def _draw_violations(
    rng: random.Random, running: list[tuple[float, float]], count: int
) -> tuple[tuple[float, float], ...]:
    """``count`` violations of 20-40 min, each inside a run (20 min after its start, ended 40 min before its end at
    the latest) and :data:`VIOLATION_GAP_S` apart from the others; a draw that finds no room is left out."""
    drawn: list[tuple[float, float]] = []
    for _ in range(count):
        for _try in range(VIOLATION_TRIES):
            a, b = rng.choice(running)
            start = rng.uniform(a + 1200, b - 2400)
            end = start + rng.uniform(20, 40) * 60
            if _apart(start, end, drawn):
                drawn.append((start, end))
                break
    return tuple(sorted(drawn))


def _apart(start: float, end: float, taken: list[tuple[float, float]]) -> bool:
    return all(end + VIOLATION_GAP_S <= s or e + VIOLATION_GAP_S <= start for s, e in taken)


def _draw_traps(
    rng: random.Random,
    running: list[tuple[float, float]],
    violations: tuple[tuple[float, float], ...],
    subjects: list[tuple[TrapKind, str | None]],
    per_day: float,
) -> tuple[Trap, ...]:
    """About ``per_day`` traps of each kind the plant allows (its fan or group drawn among ``subjects``), inside
    production runs like violations and :data:`VIOLATION_GAP_S` apart from them and from each other."""
    taken = list(violations)
    traps: list[Trap] = []
    kinds = (TrapKind.SHORT_OFF, TrapKind.STANDBY_SWITCHING, TrapKind.THRESHOLD_STRADDLE)
    wanted = [(kind, _poisson(rng, per_day)) for kind in kinds if any(k is kind for k, _ in subjects)]
    order = [kind for kind, n in wanted for _ in range(n)]
    rng.shuffle(order)  # the kinds mixed, so a day with little room still gets some of each
    for kind in order:
        meters = [meter for k, meter in subjects if k is kind]
        for _try in range(VIOLATION_TRIES):
            a, b = rng.choice(running)
            length = SHORT_OFF_S if kind is TrapKind.SHORT_OFF else rng.uniform(20, 60) * 60
            if b - a < 2400 + length:
                continue
            start = rng.uniform(a + 1200, b - 1200 - length)
            if not _apart(start, start + length, taken):
                continue
            gaps = (0.0, 0.0)
            if kind is TrapKind.STANDBY_SWITCHING:
                gaps = (rng.uniform(0, HANDOVER_GAP_MAX_S), rng.uniform(0, HANDOVER_GAP_MAX_S))
            traps.append(Trap(kind, start, start + length, rng.choice(meters), gaps))
            taken.append((start, start + length))
            break
    return tuple(sorted(traps, key=lambda trap: trap.start))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
