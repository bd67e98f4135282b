"""Placeholder: replaced by the DTU simulator."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true")


def main(_args: argparse.Namespace) -> int:
    return 0
