"""`fbjd bench ingest`: N terminals over TCP against the ingest service and a real PostgreSQL.

    fbjd bench ingest                                   # 1,000 terminals, writes BENCHMARKS.md
    fbjd bench ingest --terminals 20 --duration 3 --warmup 1 --phases paced --no-profile --output /tmp/b.md

Steps: fresh database + migrations; ingest started as its own process; terminals registered through its API;
connections; warm-up; one measured window per phase (paced at --rate readings/s, then max); a py-spy profile of
ingest under max load (when py-spy is installed); drain; every acknowledged reading checked in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fbjd_core.logging import configure_logging

from fbjd_infra.bench.harness import (
    BenchError,
    bench_database,
    count_rows,
    register_devices,
    running_ingest,
    server_version,
)
from fbjd_infra.bench.loadgen import BenchTerminal, LoadGenerator
from fbjd_infra.bench.monitor import (
    CpuSampler,
    Profile,
    RssWatcher,
    background_load,
    find_py_spy,
    py_spy_profile,
)
from fbjd_infra.bench.report import (
    TARGET_READINGS_S,
    BenchResult,
    Phase,
    machine_info,
    render_markdown,
    render_table,
    write_section,
)
from fbjd_infra.bench.summary import Figure, record

__all__ = ["add_arguments", "bench_terminals", "main", "new_loop"]

log = logging.getLogger(__name__)
PHASES = ("paced", "max")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--terminals", type=int, default=1000, help="concurrent terminals (default 1000)")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per phase (default 30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds (default 5)")
    parser.add_argument("--factors", type=int, default=10, help="factors (= readings) per packet, 1-40 (default 10)")
    parser.add_argument(
        "--rate",
        type=float,
        default=float(TARGET_READINGS_S),
        help=f"readings/s offered in the paced phase (default {TARGET_READINGS_S})",
    )
    parser.add_argument("--phases", default="paced,max", help="comma-separated: paced, max (default both)")
    parser.add_argument(
        "--profile-seconds",
        type=float,
        default=10.0,
        help="py-spy profile of ingest under max load, seconds (default 10)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument(
        "--ingest-loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="event loop of the ingest process (uvicorn --loop; default auto = uvloop when installed)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("BENCHMARKS.md"),
        help="markdown file to write/update (default BENCHMARKS.md)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; do not touch the markdown file")


def bench_terminals(count: int, seed: int = 212) -> list[BenchTerminal]:
    rng = random.Random(seed)
    return [
        BenchTerminal(
            mn=f"BE0C{i:08X}{rng.getrandbits(48):012X}",
            password=f"{rng.randrange(10**6):06d}",
            ps_id=f"{rng.getrandbits(128):032x}",
        )
        for i in range(count)
    ]


def _phases(text: str) -> list[str]:
    phases = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in phases if p not in PHASES]
    if unknown or not phases:
        raise BenchError(f"--phases takes {', '.join(PHASES)}; got {text!r}")
    return phases


async def _measure(
    gen: LoadGenerator,
    sampler: CpuSampler,
    rss: RssWatcher,
    name: str,
    seconds: float,
    offered: float | None,
    factors: int,
) -> Phase:
    rss.peak = 0
    start = sampler.snapshot()
    window = await gen.window(name, seconds, offered)
    end = sampler.snapshot()
    phase = Phase(window, factors, sampler.split(start, end), rss.sample())
    log.info(
        "phase measured",
        extra={
            "phase": name,
            "packets_s": round(window.packets_s),
            "readings_s": round(phase.readings_s),
            "p99_ms": phase.p99,
        },
    )
    return phase


async def run_bench(
    args: argparse.Namespace, database_url: str, postmaster_pid: int | None, workdir: Path
) -> BenchResult:
    phases = _phases(args.phases)
    terminals = bench_terminals(args.terminals)
    postgres = await server_version(database_url)
    background = await background_load()
    if background > 10:
        log.warning("the machine is busy before the benchmark starts", extra={"busy_percent": round(background)})
    async with running_ingest(database_url, workdir / "ingest.log", loop=args.ingest_loop) as ingest:
        log.info("ingest started; registering terminals", extra={"terminals": len(terminals), "pid": ingest.pid})
        await register_devices(ingest, terminals)
        gen = LoadGenerator("127.0.0.1", ingest.hj212_port, terminals, factors=args.factors)
        await gen.connect()
        rss = RssWatcher(ingest.pid)
        rss.start()
        overall_peak = 0
        sampler = CpuSampler(ingest.pid, postmaster_pid)
        paced_packets = args.rate / args.factors
        results: list[Phase] = []
        profile: Profile | None = None
        profile_phase: str | None = None
        try:
            gen.start("paced", paced_packets)
            await asyncio.sleep(args.warmup)
            for name in phases:
                gen.start(name, paced_packets if name == "paced" else None)
                await asyncio.sleep(min(2.0, args.warmup))  # settle into the new mode
                offered = paced_packets if name == "paced" else None
                results.append(await _measure(gen, sampler, rss, name, args.duration, offered, args.factors))
                overall_peak = max(overall_peak, rss.peak)
            py_spy = None if args.no_profile else find_py_spy()
            if py_spy is not None:
                gen.start("max", None)
                profile_phase = "max"
                profile = await py_spy_profile(py_spy, ingest.pid, args.profile_seconds, workdir / "ingest.prof")
            elif not args.no_profile:
                log.warning("py-spy not found; no profile of the ingest process")
            unanswered = await gen.stop()
        finally:
            overall_peak = max(overall_peak, await rss.stop())
        await gen.close()
        readings, receipts = await count_rows(database_url, [t.mn for t in terminals])
    notes = [
        "Readings are rows of `ingest.readings` (one per factor code and DataTime: Avg/Min/Max/Flag in its "
        "columns); packets are rows of `ingest.receipts`.",
        "Latency is measured in the load generator from writing a packet to reading its 9014, so it includes "
        "the load generator's own scheduling delay on the shared cores.",
    ]
    busiest = max((p.cpu.other for p in results), default=0.0)
    if busiest > 10 or background > 10:
        notes.append(
            f"Other processes were busy on this machine (up to {max(busiest, background):.0f}% of it, the "
            "'other processes' column); the figures are lower than on an otherwise idle machine."
        )
    if profile is not None:
        notes.append(
            "The profile ran after the measured windows (py-spy samples from outside, --nonblocking), so it does "
            "not slow the figures in the table. A leaf `Runner.run` is time inside uvloop's C code (polling, "
            "socket reads and writes), which py-spy cannot see into."
        )
    return BenchResult(
        when=datetime.now(UTC),
        machine=machine_info(postgres),
        terminals=len(terminals),
        factors=args.factors,
        warmup_s=args.warmup,
        database="DATABASE_URL"
        if os.environ.get("DATABASE_URL")
        else "embedded PostgreSQL (temporary data directory, default configuration, fsync on)",
        phases=results,
        peak_rss=overall_peak,
        acked_packets=gen.acked,
        sent_packets=gen.sent,
        unanswered=unanswered,
        stored_readings=readings,
        stored_receipts=receipts,
        commands_answered=gen.commands,
        disconnects=gen.disconnects,
        bad_frames=gen.bad_frames,
        profile=profile,
        profile_phase=profile_phase,
        notes=notes,
    )


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _record_headline(args: argparse.Namespace, result: BenchResult) -> None:
    best = next((p for p in result.phases if p.meets_target()), result.phases[0] if result.phases else None)
    if best is None:
        return
    p99 = "—" if best.p99 is None else f"{best.p99:.1f} ms"
    record(
        args,
        Figure(
            f"ingest: readings/s sustained and p99 ACK ({best.window.name}, {result.terminals:,} terminals)",
            f"{best.readings_s:,.0f}/s, p99 {p99}",
            "≥ 20,000/s with p99 < 50 ms",
            best.meets_target(),
        ),
        Figure(
            "ingest: nothing lost or doubled (rows stored = readings acknowledged)",
            "yes" if result.integrity_ok else "no",
            "equal",
            result.integrity_ok,
        ),
    )


def main(args: argparse.Namespace) -> int:
    configure_logging("bench", level=os.environ.get("FBJD_LOG_LEVEL", "INFO"))
    if args.terminals < 1 or args.factors < 1 or args.duration <= 0 or args.rate <= 0:
        log.error("--terminals, --factors, --duration and --rate must be positive")
        return 2
    try:
        _phases(args.phases)
        with tempfile.TemporaryDirectory(prefix="fbjd-bench-") as tmp, bench_database() as db:
            with asyncio.Runner(loop_factory=new_loop) as runner:
                result = runner.run(run_bench(args, db.url, db.postmaster_pid, Path(tmp)))
    except BenchError as exc:
        log.error("benchmark failed", extra={"error": str(exc)})
        return 1
    sys.stdout.write(render_table(result))
    _record_headline(args, result)
    if not args.no_write:
        write_section(args.output, render_markdown(result))
        log.info("written", extra={"path": str(args.output)})
    return 0 if result.integrity_ok else 1
