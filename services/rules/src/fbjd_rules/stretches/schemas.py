"""The stretches' answer: per production facility and treatment node, what the data shows (JSON)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["PairOut", "StretchOut", "StretchesOut"]


class StretchOut(BaseModel):
    kind: Literal["abnormal", "short", "unknown"] = Field(
        description=(
            "abnormal: production on, treatment off for at least the judgement time (each should have a record); "
            "short: the same for less than the judgement time; unknown: production on while the treatment's points "
            "sent no data (the data cannot decide)"
        )
    )
    start: datetime
    end: datetime
    minutes: int
    judgement_minutes: int
    treatment_point_ids: list[str]  # the node's points judged (main/standby), or its silent points for `unknown`
    record_id: uuid.UUID | None = Field(
        default=None, description="abnormal only: the open rules record covering it (null: none)"
    )


class PairOut(BaseModel):
    production_facility_id: str
    production_facility_name: str
    treatment_facility_id: str
    treatment_facility_name: str
    treatment_point_id: str  # the treatment node (its first point), as in the records
    stretches: list[StretchOut]


class StretchesOut(BaseModel):
    ps_id: str
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    judged_from: datetime  # widened back, as the evaluation widens, when a stretch began before `from`
    judged_to: datetime  # widened on (up to now) when a stretch went on after `to`
    pairs: list[PairOut]
