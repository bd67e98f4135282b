"""An enterprise's topology: what rules read to judge production against treatment."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from fbjd_registry.enterprises.schemas import EnterpriseOut
from fbjd_registry.facilities.schemas import FacilityOut
from fbjd_registry.links.schemas import LinkOut
from fbjd_registry.points.schemas import PointOut

__all__ = ["TopologyOut", "TreatmentRequirement"]


class TreatmentRequirement(BaseModel):
    """A treatment facility runs when, in every group, at least one point is above its threshold.

    Main/standby points (主备) share a group (the province's treatmentAmmeterIds); a point without a standby
    group is a group of its own.
    """

    treatment_facility_id: uuid.UUID
    groups: list[list[uuid.UUID]]


class TopologyOut(BaseModel):
    ps_id: str
    at: datetime | None  # None: the registry now
    enterprise: EnterpriseOut | None  # None when the enterprise did not exist yet at `at`
    facilities: list[FacilityOut]
    points: list[PointOut]
    links: list[LinkOut]
    treatment_requirements: list[TreatmentRequirement]
