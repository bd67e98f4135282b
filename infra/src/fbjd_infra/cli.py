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
import sys
from collections.abc import Sequence

__all__ = ["main"]


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


def _bench(args: argparse.Namespace) -> int:
    from fbjd_infra.bench import main as bench_main

    return bench_main(args)


def _bench_all(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.summary import main as bench_all_main

    return bench_all_main(args)


def _bench_stats(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.stats import main as bench_stats_main

    return bench_stats_main(args)


def _bench_storm(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.storm import main as bench_storm_main

    return bench_storm_main(args)


def _bench_web(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.web import main as bench_web_main

    return bench_web_main(args)


def _bench_pipeline(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.pipeline import main as bench_pipeline_main

    return bench_pipeline_main(args)


def _bench_rules(args: argparse.Namespace) -> int:
    from fbjd_infra.bench.rules import main as bench_rules_main

    return bench_rules_main(args)


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
    ingest = bench.add_parser("ingest", help="1,000 terminals over TCP against ingest + PostgreSQL")
    from fbjd_infra.bench import add_arguments as add_bench_arguments

    add_bench_arguments(ingest)
    ingest.set_defaults(func=_bench)
    rules_bench = bench.add_parser("rules", help="replay of stored history by the rules engine (readings/s, accuracy)")
    from fbjd_infra.bench.rules import add_arguments as add_rules_bench_arguments

    add_rules_bench_arguments(rules_bench)
    rules_bench.set_defaults(func=_bench_rules)
    pipeline = bench.add_parser("pipeline", help="condition → record → province latency on the running platform")
    from fbjd_infra.bench.pipeline import add_arguments as add_pipeline_arguments

    add_pipeline_arguments(pipeline)
    pipeline.set_defaults(func=_bench_pipeline)
    web = bench.add_parser("web", help="web pages under 50 concurrent users: p50/p95/p99 per page")
    from fbjd_infra.bench.web import add_arguments as add_web_arguments

    add_web_arguments(web)
    web.set_defaults(func=_bench_web)
    stats_bench = bench.add_parser(
        "stats", help="statistics queries on a city-sized consumption rollup (30,000 points)"
    )
    from fbjd_infra.bench.stats import add_arguments as add_stats_bench_arguments

    add_stats_bench_arguments(stats_bench)
    stats_bench.set_defaults(func=_bench_stats)
    storm = bench.add_parser("storm", help="reconnect storm: 5,000 terminals back at once, resending their history")
    from fbjd_infra.bench.storm import add_arguments as add_storm_arguments

    add_storm_arguments(storm)
    storm.set_defaults(func=_bench_storm)
    every = bench.add_parser("all", help="every benchmark in one run, one summary table (what `make bench` runs)")
    from fbjd_infra.bench.summary import add_arguments as add_all_arguments

    add_all_arguments(every)
    every.set_defaults(func=_bench_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
