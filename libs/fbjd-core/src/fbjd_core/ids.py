"""Time-ordered ids and the business-key types that must not mix."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, NewType

from pydantic import StringConstraints
from uuid6 import uuid7

__all__ = ["MN", "PSID_PATTERN", "PsId", "PsIdStr", "is_epc_mn", "new_id"]

MN = NewType("MN", str)
PsId = NewType("PsId", str)

PSID_PATTERN = r"^[0-9a-f]{32}$"
PsIdStr = Annotated[str, StringConstraints(pattern=PSID_PATTERN)]
_EPC_MN = re.compile(r"^[0-9A-F]{24}$")


def new_id() -> uuid.UUID:
    """A UUIDv7: sorts by creation time, so primary-key indexes stay append-mostly."""
    return uuid.UUID(bytes=uuid7().bytes)


def is_epc_mn(mn: str) -> bool:
    """True for a standard MN: 24 upper-case hex characters converted from EPC-96."""
    return bool(_EPC_MN.match(mn))
