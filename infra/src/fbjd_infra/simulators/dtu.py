"""`fbjd simulate`: N virtual data transmission terminals speaking HJ 212 over TCP.

    fbjd simulate --terminals 12 --port 9212                     # mixed 2017/2025 terminals, 1-minute data
    fbjd simulate --demo --register http://127.0.0.1:8000       # the demo city (what `fbjd run` starts)
    fbjd simulate --terminals 3 --speed 60 --violations --duration 120
    fbjd simulate --demo --list                                  # print the fleet as JSON lines and exit
    fbjd simulate --demo --from-registry http://127.0.0.1:8000  # the registry's demo devices and points

Every 30 s a one-line summary is logged: sent, acked, resent, backlog, connected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fbjd_core.logging import configure_logging
from hj212.versions import Version

from fbjd_infra.demo import device_registration
from fbjd_infra.simulators.clock import SimClock
from fbjd_infra.simulators.fleet import DEMO_SEED, TerminalSpec, build_fleet
from fbjd_infra.simulators.register import (
    RegistrationError,
    device_payload,
    fetch_registry_devices,
    register_payloads,
)
from fbjd_infra.simulators.registry_fleet import fleet_from_registry
from fbjd_infra.simulators.terminal import Terminal, TerminalOptions, TerminalStats
from fbjd_infra.simulators.truth import ground_truth

__all__ = ["Simulation", "add_arguments", "main"]

log = logging.getLogger(__name__)

DEFAULT_TERMINALS = 12
DEMO_VIOLATIONS_PER_DAY = 1.0
DEMO_OUTAGES_PER_DAY = 2.0
DEMO_POWER_LOSS_SHARE = 0.25  # of the demo's outages, this share are power losses of the terminal (2081 on return)
DEMO_TRAPS_PER_DAY = 1.0


class Simulation:
    """A fleet of terminals against one center."""

    def __init__(
        self,
        fleet: Sequence[TerminalSpec],
        *,
        host: str,
        port: int,
        clock: SimClock,
        options: TerminalOptions | None = None,
    ) -> None:
        self.terminals = [Terminal(spec, host=host, port=port, clock=clock, options=options) for spec in fleet]

    def stats(self) -> TerminalStats:
        total = TerminalStats()
        for terminal in self.terminals:
            total.add(terminal.stats)
        return total

    def summary(self) -> dict[str, int]:
        stats = self.stats()
        return {
            "sent": stats.sent,
            "acked": stats.acked,
            "resent": stats.resent,
            "backlog": sum(t.backlog for t in self.terminals),
            "connected": sum(t.connected for t in self.terminals),
            "terminals": len(self.terminals),
            "outages": stats.outages,
            "power_losses": stats.power_losses,
            "commands": stats.commands,
            "dropped": stats.dropped,
        }

    async def run(self, *, duration_s: float | None = None, summary_every_s: float = 30.0) -> TerminalStats:
        """Run until cancelled or for ``duration_s`` real seconds; returns the totals."""
        try:
            async with asyncio.timeout(duration_s), asyncio.TaskGroup() as group:
                for terminal in self.terminals:
                    group.create_task(terminal.run())
                group.create_task(self._log_summaries(summary_every_s))
        except TimeoutError:
            pass
        log.info("simulation stopped", extra=self.summary())
        return self.stats()

    async def run_until_delivered(self, *, poll_s: float = 0.5) -> TerminalStats:
        """Run until every terminal has delivered what it holds (its history), then stop."""
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(terminal.run()) for terminal in self.terminals]
            await asyncio.sleep(poll_s)
            while not all(terminal.delivered for terminal in self.terminals):
                await asyncio.sleep(poll_s)
            for task in tasks:
                task.cancel()
        log.info("history delivered", extra=self.summary())
        return self.stats()

    async def _log_summaries(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            log.info("simulator", extra=self.summary())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default_port = int(os.environ.get("FBJD_HJ212_PORT", "9212"))
    parser.add_argument("--host", default="127.0.0.1", help="the center's HJ 212 host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port, help=f"HJ 212 TCP port (default {default_port})")
    parser.add_argument(
        "--terminals",
        type=int,
        default=None,
        help=f"number of terminals (default {DEFAULT_TERMINALS}; with --from-registry: every registry device)",
    )
    parser.add_argument("--interval", type=int, default=60, help="minute-data period, seconds (default 60)")
    parser.add_argument("--rtd-interval", type=int, default=30, help="real-time period, seconds (default 30)")
    parser.add_argument("--realtime", action="store_true", help="also upload 2011 real-time data")
    parser.add_argument("--speed", type=float, default=1.0, help="time acceleration factor (default 1)")
    parser.add_argument(
        "--version",
        choices=("2017", "2025", "mix"),
        default="mix",
        help="protocol version of the terminals (default: two in three 2017, the rest 2025)",
    )
    parser.add_argument(
        "--violations", action="store_true", help="inject 'production on, treatment off' stretches of 20-40 min"
    )
    parser.add_argument(
        "--violation-rate",
        type=float,
        default=None,
        help=f"violations per terminal per simulated day (default {DEMO_VIOLATIONS_PER_DAY})",
    )
    parser.add_argument(
        "--trap-rate",
        type=float,
        default=None,
        help="traps per terminal per simulated day, of each kind its points allow: standby switching, a 14-min "
        "treatment off, a fan just above its threshold; situations that must not make a record (default with "
        f"violations: {DEMO_TRAPS_PER_DAY})",
    )
    parser.add_argument(
        "--outage-rate",
        type=float,
        default=None,
        help=f"network outages per terminal per simulated day (default 0; demo {DEMO_OUTAGES_PER_DAY})",
    )
    parser.add_argument(
        "--power-loss-share",
        type=float,
        default=None,
        help="share of the outages that are power losses of the terminal: nothing measured while off, CN 2081 "
        f"(RestartTime) on return (default 0; demo {DEMO_POWER_LOSS_SHARE})",
    )
    parser.add_argument(
        "--rollover", action="store_true", help="6-digit energy registers that wrap to 0 after 999999.99 kWh"
    )
    parser.add_argument("--ack-timeout", type=float, default=10.0, help="seconds to wait for a 9014 (default 10)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the demo city: fixed seed, violations, outages, real-time data, some clocks off",
    )
    parser.add_argument(
        "--register",
        metavar="GATEWAY_URL",
        help="register the terminals through the gateway first ($FBJD_ADMIN_PASSWORD)",
    )
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument(
        "--from-registry",
        metavar="GATEWAY_URL",
        help="simulate the registry's devices (GET /api/registry/devices: the demo city's MNs and points) "
        "instead of a seeded fleet ($FBJD_ADMIN_PASSWORD)",
    )
    parser.add_argument("--seed", type=int, default=None, help="fleet seed (default: random, demo: fixed)")
    parser.add_argument(
        "--mn", action="append", default=[], metavar="MN", help="with --from-registry: only this terminal (repeatable)"
    )
    parser.add_argument(
        "--history",
        type=float,
        default=0.0,
        metavar="HOURS",
        help="the terminals were offline for the last HOURS: they send that history first (QN now, DataTime then)",
    )
    parser.add_argument(
        "--history-only", action="store_true", help="stop once the history is delivered (with --history)"
    )
    parser.add_argument(
        "--ground-truth",
        type=Path,
        metavar="FILE",
        help="write the treatment abnormals (and the traps) the simulation contains (--from-registry) as JSON for "
        "`fbjd rules accuracy FILE`",
    )
    parser.add_argument("--list", action="store_true", help="print the fleet as JSON lines and exit")


def _violations(args: argparse.Namespace) -> float:
    if args.violation_rate is not None:
        return float(args.violation_rate)
    return DEMO_VIOLATIONS_PER_DAY if (args.violations or args.demo) else 0.0


def _traps(args: argparse.Namespace) -> float:
    if args.trap_rate is not None:
        return float(args.trap_rate)
    return DEMO_TRAPS_PER_DAY if _violations(args) > 0 else 0.0


def _version(args: argparse.Namespace) -> Version | None:
    return {"2017": Version.HJ212_2017, "2025": Version.HJ212_2025}.get(args.version)


def _own_fleet(args: argparse.Namespace) -> list[TerminalSpec]:
    seed = args.seed if args.seed is not None else (DEMO_SEED if args.demo else random.randrange(2**31))
    return build_fleet(
        args.terminals or DEFAULT_TERMINALS,
        seed=seed,
        version=_version(args),
        interval_s=args.interval,
        rtd_interval_s=args.rtd_interval,
        violations_per_day=_violations(args),
        traps_per_day=_traps(args),
        clock_skew=args.demo,
        rollover=args.rollover,
    )


async def _fleet(
    args: argparse.Namespace, password: str | None
) -> tuple[list[TerminalSpec], list[dict[str, Any]], list[dict[str, Any]]]:
    """The terminals to simulate, their registration bodies and (--from-registry) the registry's devices."""
    if not args.from_registry:
        fleet = _own_fleet(args)
        return fleet, [device_payload(spec) for spec in fleet], []
    if not password:
        raise RegistrationError("--from-registry needs FBJD_ADMIN_PASSWORD (the admin account's password)")
    devices = await fetch_registry_devices(args.from_registry, password=password)
    if args.mn:
        devices = [device for device in devices if device["mn"] in set(args.mn)]
    if args.terminals:
        devices = devices[: args.terminals]
    fleet = fleet_from_registry(
        devices,
        version=_version(args),
        interval_s=args.interval,
        rtd_interval_s=max(30, args.rtd_interval),
        violations_per_day=_violations(args),
        traps_per_day=_traps(args),
        clock_skew=args.demo,
    )
    return fleet, [device_registration(device) for device in devices], devices


def _options(args: argparse.Namespace) -> TerminalOptions:
    outages = args.outage_rate
    if outages is None:
        outages = DEMO_OUTAGES_PER_DAY if args.demo else 0.0
    power_losses = args.power_loss_share
    if power_losses is None:
        power_losses = DEMO_POWER_LOSS_SHARE if args.demo else 0.0
    return TerminalOptions(
        ack_timeout_s=args.ack_timeout,
        outage_rate_per_day=outages,
        power_loss_share=power_losses,
        realtime=args.realtime or args.demo,
        history_s=args.history * 3600.0,
    )


async def _register(gateway: str, payloads: list[dict[str, Any]], password: str | None) -> None:
    if not password:
        log.error("--register needs FBJD_ADMIN_PASSWORD (the admin account's password); not registering")
        return
    try:
        await register_payloads(gateway, payloads, password=password)
    except RegistrationError as exc:
        log.error("registration failed; terminals run anyway (ingest quarantines them)", extra={"error": str(exc)})


async def _run(args: argparse.Namespace) -> TerminalStats | None:
    main_task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        if main_task is not None:
            loop.add_signal_handler(sig, main_task.cancel)
    password = os.environ.get("FBJD_ADMIN_PASSWORD")
    try:
        fleet, payloads, devices = await _fleet(args, password)
    except RegistrationError as exc:
        log.error("cannot get the terminals from the registry", extra={"error": str(exc)})
        return None
    if args.list:
        for spec in fleet:
            sys.stdout.write(json.dumps(spec.to_dict(), ensure_ascii=False) + "\n")
        return TerminalStats()
    if args.register:
        await _register(args.register, payloads, password)
    clock = SimClock(speed=args.speed)
    began = clock.timestamp() - args.history * 3600.0
    simulation = Simulation(fleet, host=args.host, port=args.port, clock=clock, options=_options(args))
    log.info(
        "simulator starting",
        extra={
            "terminals": len(fleet),
            "source": "registry" if args.from_registry else "seeded",
            "host": args.host,
            "port": args.port,
            "speed": args.speed,
            "interval_s": args.interval,
        },
    )
    try:
        if args.history_only:
            return await simulation.run_until_delivered()
        return await simulation.run(duration_s=args.duration)
    except asyncio.CancelledError:
        log.info("simulator stopped", extra=simulation.summary())
        return simulation.stats()
    finally:
        if args.ground_truth is not None:
            _write_truth(args.ground_truth, devices, simulation, began, clock.timestamp())


def _write_truth(path: Path, devices: list[dict[str, Any]], simulation: Simulation, start: float, end: float) -> None:
    plants = {terminal.spec.mn: terminal.plant for terminal in simulation.terminals}
    bursts = {terminal.spec.mn: terminal.bursts for terminal in simulation.terminals}
    truth = ground_truth(devices, plants, start, end, bursts=bursts)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    log.info(
        "ground truth written",
        extra={"path": str(path), "violations": len(truth["violations"]), "traps": len(truth["traps"])},
    )


def main(args: argparse.Namespace) -> int:
    configure_logging(
        "simulator",
        level=os.environ.get("FBJD_LOG_LEVEL", "INFO"),
        json=os.environ.get("FBJD_LOG_JSON", "").lower() in {"1", "true", "yes"},
    )
    if (args.terminals is not None and args.terminals < 1) or args.interval < 1 or args.speed <= 0:
        log.error("--terminals and --interval must be at least 1, --speed positive")
        return 2
    try:
        stats = asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 0
    if stats is None:
        return 1
    if not args.list:
        log.info("totals", extra=asdict(stats))
    return 0
