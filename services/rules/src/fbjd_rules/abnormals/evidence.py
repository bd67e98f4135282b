"""A record's evidence: the power of its production and treatment points over its window plus a margin,
read from `ingest.readings_v1` and derived exactly as the evaluation derived it (energy → power included)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.abnormals.schemas import EvidenceOut, EvidenceSample, EvidenceSeries
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import group_rows, series_for_points

__all__ = ["evidence_for"]


async def evidence_for(session: AsyncSession, row: AbnormalRecord) -> EvidenceOut:
    points = row.evidence_points
    ids = [str(p["point_id"]) for p in points]
    rows = await readings.for_enterprise(
        session, ps_id=row.ps_id, start=row.evidence_from, end=row.evidence_to, points=ids
    )
    series = series_for_points(group_rows(rows))
    out = []
    for point in points:
        found = series.get(str(point["point_id"]))
        samples = []
        if found is not None:
            for t, kw in zip(found.times.tolist(), found.power_kw.tolist(), strict=True):
                samples.append(EvidenceSample(t=datetime.fromtimestamp(t, UTC), kw=None if np.isnan(kw) else kw))
        out.append(
            EvidenceSeries(
                point_id=str(point["point_id"]),
                name=str(point["name"]),
                role=str(point["role"]),
                facility_id=point.get("facility_id"),
                threshold_kw=point.get("threshold_kw"),
                samples=samples,
            )
        )
    return EvidenceOut(start=row.evidence_from, end=row.evidence_to, points=out)
