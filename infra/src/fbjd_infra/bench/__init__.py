"""Benchmarks run by `fbjd bench ...`: today the ingest path (`fbjd bench ingest`, `make bench`)."""

from fbjd_infra.bench.run import add_arguments, main

__all__ = ["add_arguments", "main"]
