"""The enterprise (排污单位): the fields of 分表计电验收申请基础信息表 and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fbjd_core.ids import new_id
from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fbjd_registry.db import Base

__all__ = ["Enterprise"]


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ps_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    permit_no: Mapped[str | None] = mapped_column(String(22))
    legal_representative: Mapped[str] = mapped_column(String(50))
    postcode: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(10))
    industry: Mapped[str] = mapped_column(String(10), index=True)
    is_300mw_power_plant: Mapped[bool] = mapped_column(Boolean, default=False)
    env_contact_name: Mapped[str] = mapped_column(String(50))
    env_contact_phone: Mapped[str] = mapped_column(String(20))
    operator_name: Mapped[str | None] = mapped_column(String(100))
    operator_contact: Mapped[str | None] = mapped_column(String(50))
    operator_phone: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(12), default="planned")
    planned_install_date: Mapped[date | None] = mapped_column(Date)
    planned_network_date: Mapped[date | None] = mapped_column(Date)
    planned_acceptance_date: Mapped[date | None] = mapped_column(Date)
    install_date: Mapped[date | None] = mapped_column(Date)
    network_date: Mapped[date | None] = mapped_column(Date)
    acceptance_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
