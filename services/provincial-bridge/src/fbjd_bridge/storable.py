"""What PostgreSQL can store, checked at the door so that a bad request is a 422 and not a 500.

The contracts' models refuse what they can name (:func:`refuse_nul`, ``le=INT_MAX``); the core's error handlers
answer 422 for whatever else PostgreSQL refuses as a *data exception* (SQLSTATE class 22).

PostgreSQL refuses a NUL character (``\\u0000``) in ``text`` and in ``jsonb`` strings, and integers beyond its
column types; pydantic accepts both.  The contracts' models use these checks on every field they store.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

__all__ = ["BIGINT_MAX", "INT_MAX", "refuse_nul"]

log = logging.getLogger(__name__)

#: Largest value of an ``integer`` column (a record's version).
INT_MAX = 2**31 - 1
#: Largest value of a ``bigint`` column (an outbox sequence number).
BIGINT_MAX = 2**63 - 1

T = TypeVar("T")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul(value: T) -> T:
    """``value`` unchanged, or ValueError (pydantic turns it into a 422) if a string in it holds a NUL."""
    if _has_nul(value):
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value
