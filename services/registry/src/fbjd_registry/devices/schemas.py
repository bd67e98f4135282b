"""Devices (data transmission terminals, by MN) as the registry knows them: which points each one carries."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["DeviceOut", "DevicePoint", "FacilityRef"]


class FacilityRef(BaseModel):
    id: uuid.UUID
    name: str
    kind: FacilityKind


class DevicePoint(BaseModel):
    point_id: uuid.UUID
    name: str
    role: PointRole
    factor_code: str  # active power, kW
    energy_factor_code: str | None  # cumulative energy, kWh, where the factor profile names one
    rated_kw: float | None
    threshold_kw: float | None
    standby_group: str | None
    judgement_minutes: int | None  # the point's own judgement time (治理设施判定时长); None: the rules' default
    facility: FacilityRef | None  # None for a total incoming line
    linked_facilities: list[FacilityRef]  # treatment of a production facility, or production of a treatment one


class DeviceOut(BaseModel):
    mn: str
    ps_id: str
    enterprise_name: str
    county_code: str
    factor_profile: str
    demo_password: str | None  # only for admin and service callers; ingest owns real passwords
    points: list[DevicePoint]
