"""House rule: structured log fields never collide with the attributes of a LogRecord.

`log.info(..., extra={"created": ...})` raises KeyError inside logging (it crashed the simulator once), and only
when that line runs. This finds every dict literal passed as `extra=` in the source and checks its keys.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["libs", "services", "gateway", "web", "infra"]
RESERVED = set(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None))) | {"message", "asctime"}


def _extra_keys(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                    found += [
                        (node.lineno, key.value)
                        for key in keyword.value.keys
                        if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    ]
    return found


def test_no_log_call_uses_a_reserved_logrecord_field_as_extra() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} extra key {key!r}"
        for top in SOURCES
        for path in (ROOT / top).rglob("src/**/*.py")
        for line, key in _extra_keys(path)
        if key in RESERVED
    ]
    assert offences == []


def test_the_check_sees_extra_keys_at_all() -> None:
    keys = {key for path in (ROOT / "services/ingest/src").rglob("*.py") for _line, key in _extra_keys(path)}
    assert "mn" in keys, "the scan must find the ingest service's structured fields"
