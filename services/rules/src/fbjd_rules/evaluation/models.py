"""Tables rules.enterprise_state (what is left to evaluate, per enterprise) and rules.device_state (last data
per terminal, for the offline check). Pending work lives in the database so that a restart loses nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_rules.db import Base

__all__ = ["DeviceState", "EnterpriseState"]


class EnterpriseState(Base):
    __tablename__ = "enterprise_state"

    ps_id: Mapped[str] = mapped_column(Text, primary_key=True)
    county: Mapped[str | None] = mapped_column(Text)
    dirty_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # re-evaluate from here
    dirty_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # bumped by every notification
    dirty_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_data_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evaluated_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeviceState(Base):
    __tablename__ = "device_state"

    mn: Mapped[str] = mapped_column(Text, primary_key=True)
    ps_id: Mapped[str] = mapped_column(Text)
    last_data_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    interval_s: Mapped[int] = mapped_column(Integer, default=300)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
