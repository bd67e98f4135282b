"""Times typed into forms: a `datetime-local` field is China Standard Time wall clock (the bureau's and the
enterprises' clock), whatever the browser's own zone."""

from __future__ import annotations

from datetime import datetime

from fbjd_core.time import CST, to_cst

__all__ = ["form_value", "parse_local"]


def parse_local(text: str | None) -> datetime | None:
    """ "2026-11-25T08:30" (or with seconds) → an aware CST datetime; None for empty or unreadable input."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=CST) if moment.tzinfo is None else to_cst(moment)


def form_value(moment: datetime) -> str:
    """The value a `datetime-local` field shows for `moment` (CST, to the minute)."""
    return to_cst(moment).strftime("%Y-%m-%dT%H:%M")
