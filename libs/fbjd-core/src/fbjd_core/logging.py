"""Structured logs for every process: key=value (or JSON) lines with the service name,
and secrets (HJ 212 `PW=`, bearer tokens) scrubbed before they are written."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

__all__ = ["configure_logging", "scrub"]

_SECRETS = re.compile(r"(PW=)[^;,&]*|(NewPW=)[^;,&]*|([Bb]earer )[A-Za-z0-9._\-]+|(password=)\S+")


def scrub(text: str) -> str:
    """Mask HJ 212 passwords and tokens in a log line."""
    return _SECRETS.sub(lambda m: next(g for g in m.groups() if g) + "***", text)


def _scrub_processor(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def configure_logging(service: str, *, level: str = "INFO", json: bool = False) -> None:
    """Route stdlib logging (`logging.getLogger(__name__)`) through structlog's renderer."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.processors.LogfmtRenderer(
            key_order=["timestamp", "level", "service", "logger", "event"], drop_missing=True
        )
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        lambda _l, _n, ed: {**ed, "service": service},
        _scrub_processor,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
