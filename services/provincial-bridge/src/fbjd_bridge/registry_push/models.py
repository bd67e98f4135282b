"""Table bridge.registry_push: per push target, the cursor it acknowledged and how the pushing goes.

`cursor` is a seq of bridge.registry_items (the same cursor the pull API hands out): every item with a larger
seq is still to be pushed. It moves only in the transaction that follows the target's success reply. A row is
keyed by the target's URL, so pointing the bridge at a new target starts that target from the beginning.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_bridge.db import Base

__all__ = ["RegistryPushState"]


class RegistryPushState(Base):
    __tablename__ = "registry_push"

    target: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    pushes: Mapped[int] = mapped_column(BigInteger, default=0)  # batches the target accepted
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # backing off until then
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
