"""`fbjd`: the operator's entry point.

fbjd run                 start the whole platform (what `make run` calls)
fbjd migrate             apply every service's migrations
fbjd hj212 decode        read HJ 212 packets from stdin, print one JSON object per line
fbjd simulate            virtual data transmission terminals speaking HJ 212 over TCP
fbjd bench ingest        1,000 terminals against the ingest path; writes BENCHMARKS.md
fbjd bench rules         replay of stored history by the rules engine
fbjd bench all           every benchmark in one run and one summary table (`make bench`)
fbjd bench stats         statistics queries on a city-sized consumption rollup; writes BENCHMARKS.md
fbjd bench web           web pages under 50 signed-in users: p50/p95/p99 per page; writes BENCHMARKS.md
fbjd bench pipeline      condition → record → province latency and each service's peak memory
fbjd bench storm         reconnect storm: 5,000 terminals back at once resending their history
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["BENCHES", "main"]

#: `fbjd bench NAME`: the module that holds its add_arguments(parser) and main(args), and its help line.
BENCHES: dict[str, tuple[str, str]] = {
    "ingest": ("fbjd_infra.bench", "1,000 terminals over TCP against ingest + PostgreSQL"),
    "rules": ("fbjd_infra.bench.rules", "replay of stored history by the rules engine (readings/s, accuracy)"),
    "pipeline": ("fbjd_infra.bench.pipeline", "condition → record → province latency on the running platform"),
    "web": ("fbjd_infra.bench.web", "web pages under 50 concurrent users: p50/p95/p99 per page"),
    "stats": ("fbjd_infra.bench.stats", "statistics queries on a city-sized consumption rollup (30,000 points)"),
    "storm": ("fbjd_infra.bench.storm", "reconnect storm: 5,000 terminals back at once, resending their history"),
    "all": ("fbjd_infra.bench.summary", "every benchmark in one run, one summary table (what `make bench` runs)"),
}


def _run(args: argparse.Namespace) -> int:
    from fbjd_infra.runner import run_platform

    return run_platform(with_simulator=not args.no_simulator)


def _migrate(_args: argparse.Namespace) -> int:
    from fbjd_infra.migrate import migrate_all
    from fbjd_infra.runner import database_url_or_embedded

    with database_url_or_embedded() as url:
        migrate_all(url)
    return 0


def _decode(_args: argparse.Namespace) -> int:
    from hj212.decode_cli import main as decode_main

    return decode_main(sys.stdin.buffer, sys.stdout)


def _simulate(args: argparse.Namespace) -> int:
    from fbjd_infra.simulators.dtu import main as simulate_main

    return simulate_main(args)


def _rules(args: argparse.Namespace) -> int:
    if args.tool == "replay":
        from fbjd_rules.replay import main as replay_main

        return replay_main(args.rest)
    from fbjd_rules.accuracy import main as accuracy_main

    return accuracy_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fbjd", description="fbjd (分表计电) platform operator commands")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the whole platform (embedded PostgreSQL when DATABASE_URL is unset)")
    run.add_argument(
        "--no-simulator", action="store_true", help="no demo city: neither its seed nor its simulated terminals"
    )
    run.set_defaults(func=_run)

    commands.add_parser("migrate", help="apply every service's migrations").set_defaults(func=_migrate)

    hj212 = commands.add_parser("hj212", help="HJ 212 tools").add_subparsers(dest="tool", required=True)
    hj212.add_parser("decode", help="decode packets from stdin, one JSON object per line").set_defaults(func=_decode)

    simulate = commands.add_parser("simulate", help="virtual HJ 212 terminals over TCP")
    from fbjd_infra.simulators.dtu import add_arguments as add_simulate_arguments

    add_simulate_arguments(simulate)
    simulate.set_defaults(func=_simulate)

    rules = commands.add_parser("rules", help="rules tools: replay stored history, accuracy against ground truth")
    rules.add_argument("tool", choices=["replay", "accuracy"])
    rules.add_argument("rest", nargs=argparse.REMAINDER, help="the tool's own arguments (--help for them)")
    rules.set_defaults(func=_rules)

    bench = commands.add_parser("bench", help="benchmarks").add_subparsers(dest="bench", required=True)
    for name, (module_name, help_text) in BENCHES.items():
        module = importlib.import_module(module_name)  # each holds add_arguments(parser) and main(args)
        command = bench.add_parser(name, help=help_text)
        module.add_arguments(command)
        command.set_defaults(func=module.main)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
