"""Placeholder: replaced by the ingest benchmark."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--terminals", type=int, default=1000)


def main(_args: argparse.Namespace) -> int:
    return 0
