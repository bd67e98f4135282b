"""Terminal power-off (数采仪断电), as the terminal itself reports it (rule 5, pure, sans-IO).

Two reports exist in HJ 212-2017:

- CN 2081 "data-logger power-on time" (`DataTime;RestartTime`), sent after power-on and network connection.
  With the terminal's last data before its silence, it bounds a power-off stretch: from that last data time (the
  last moment the terminal is known to have been powered) to RestartTime (power back). "Before" means at least
  one interval before the power-on: minute data is dated by its period's start, so the period the terminal
  powered on in carries a DataTime just before RestartTime and belongs to after the silence. A power-on with no
  whole data interval missed before it (a reboot between two samples) is no power-off. A terminal network silence
  without a 2081 stays what it is, "terminal offline" (a network silence, not known to be a power loss); the
  monitored equipment's own power loss (voltage lost) is the separate kind `power_off`.
- Instrument status `i12001` = 6 (power fault) in the data a terminal sends: a stretch from the first such
  sample to the first sample with another status (or ongoing), for the point whose data carried it (or the
  terminal when no point is named).

Resends: one power-on can be reported by several 2081 packets (a resend after a lost 9014, a new DataTime and
the same RestartTime, or no RestartTime at all); 2081s with no terminal data between them are one power-on,
dated by the earliest. The finding's identity is that power-on (terminal + RestartTime), so a resend or late
history that moves the last data time updates the finding instead of adding one.

Times are epoch seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fbjd_rules.engine.device import DeviceFinding, severity_of
from fbjd_rules.engine.params import DEFAULT_PARAMS, RuleParams
from fbjd_rules.engine.series import FloatArray, IntArray, nominal_interval

__all__ = [
    "KIND",
    "POWER_FAULT_STATUS",
    "Restart",
    "StatusSamples",
    "power_fault_stretches",
    "power_ons",
    "restart_power_offs",
]

KIND = "terminal_power_off"
POWER_FAULT_STATUS = 6.0  # i12001: 0 run, 1 maintenance, 2 fault, 3 calibration, ..., 6 power fault
STATUS_CODE = "i12001"


@dataclass(frozen=True, slots=True)
class Restart:
    """One received 2081: the terminal, its DataTime, and its RestartTime (None where it is not known)."""

    mn: str
    data_time: int
    restart_time: int | None = None

    @property
    def power_on(self) -> int:
        """When power came back: RestartTime, else the packet's DataTime (sent after power-on: no earlier)."""
        return self.restart_time if self.restart_time is not None else self.data_time


@dataclass(frozen=True, slots=True)
class StatusSamples:
    """One point's (or a terminal's own, point None) instrument status values, in time order."""

    point_id: str | None
    mn: str
    times: IntArray
    values: FloatArray  # NaN where the status was not a number


def _last_before(times: IntArray, moment: int) -> int | None:
    """The last time at or before `moment`."""
    index = int(np.searchsorted(times, moment, side="right"))
    return None if index == 0 else int(times[index - 1])


def power_ons(restarts: Sequence[Restart], data_times: IntArray) -> list[Restart]:
    """One 2081 per power-on: of the 2081s of one terminal with no data time between them, the earliest."""
    kept: list[Restart] = []
    for restart in sorted(restarts, key=lambda r: (r.power_on, r.data_time)):
        if kept:
            previous = kept[-1].power_on
            between = np.any((data_times > previous) & (data_times < restart.power_on))
            if restart.power_on == previous or not between:
                continue
        kept.append(restart)
    return kept


def restart_power_offs(
    restarts: Sequence[Restart],
    data_times: Mapping[str, IntArray],
    *,
    params: RuleParams = DEFAULT_PARAMS,
) -> list[DeviceFinding]:
    """Power-off stretches [last data before the power-on, RestartTime] of each terminal that reported one.

    `data_times`: each terminal's distinct data times, sorted, from far enough before its restarts (a power-off
    longer than what was read is not reported: its start is unknown)."""
    found: list[DeviceFinding] = []
    by_terminal: dict[str, list[Restart]] = {}
    for restart in restarts:
        by_terminal.setdefault(restart.mn, []).append(restart)
    for mn, own in sorted(by_terminal.items()):
        times = data_times.get(mn, np.zeros(0, dtype=np.int64))
        interval = nominal_interval(times)
        for restart in power_ons(own, times):
            power_on = restart.power_on
            last = _last_before(times, power_on - interval)
            if last is None or power_on - last < 2 * interval:
                continue  # no data before it known, or no whole data interval missed: no power-off to report
            detail = {
                "mn": mn,
                "source": "restart",
                "restart_at": power_on,
                "restart_reported": restart.restart_time is not None,
                "report_data_time": restart.data_time,
                "last_data_at": last,
                "interval_s": interval,
                "ongoing": False,
            }
            found.append(DeviceFinding(KIND, severity_of(last, power_on, params), None, last, power_on, detail))
    return found


def power_fault_stretches(
    samples: Sequence[StatusSamples], *, start: int, end: int, params: RuleParams = DEFAULT_PARAMS
) -> list[DeviceFinding]:
    """Stretches of i12001 = 6 (power fault) that touch [start, end): from the first such sample to the first
    sample with another status (None while it lasts). A stretch from the first sample seen is `truncated`."""
    found: list[DeviceFinding] = []
    for s in samples:
        known = ~np.isnan(s.values)
        t, v = s.times[known], s.values[known]
        i, n = 0, t.shape[0]
        while i < n:
            if v[i] != POWER_FAULT_STATUS:
                i += 1
                continue
            j = i
            while j < n and v[j] == POWER_FAULT_STATUS:
                j += 1
            first, stop = int(t[i]), (int(t[j]) if j < n else None)
            last = stop if stop is not None else int(t[j - 1])
            if first < end and last >= start:
                detail = {
                    "mn": s.mn,
                    "source": "status",
                    "code": STATUS_CODE,
                    "truncated": i == 0,
                    "ongoing": stop is None,
                    "last_seen": last,
                }
                found.append(DeviceFinding(KIND, severity_of(first, last, params), s.point_id, first, stop, detail))
            i = j
    return found
