"""Production↔treatment links in and out."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

__all__ = ["LinkIn", "LinkOut"]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    production_facility_id: uuid.UUID
    treatment_facility_id: uuid.UUID


class LinkOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    production_facility_id: uuid.UUID
    treatment_facility_id: uuid.UUID
