"""The registry's JSON (topology) read into the evaluation core's model (pure functions).

Only the fields the rules need are read; unknown roles or kinds are skipped with a log line rather than
failing the whole enterprise (a new registry vocabulary must not stop the rules).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fbjd_rules.engine.model import Facility, FacilityKind, Point, PointRole, Topology

__all__ = ["parse_time", "topology_from_json"]

log = logging.getLogger(__name__)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"the registry sent a time without a zone: {text!r}")
    return moment


def _point(doc: Mapping[str, Any]) -> Point | None:
    try:
        role = PointRole(doc["role"])
    except ValueError:
        log.warning("unknown point role skipped", extra={"point_id": doc.get("id"), "role": doc.get("role")})
        return None
    return Point(
        id=str(doc["id"]),
        name=str(doc["name"]),
        role=role,
        facility_id=None if doc.get("facility_id") is None else str(doc["facility_id"]),
        threshold_kw=doc.get("threshold_kw"),
        judgement_minutes=int(doc.get("judgement_minutes") or 15),
        rated_kw=doc.get("rated_kw"),
        standby_group=doc.get("standby_group"),
        threshold_source=doc.get("threshold_source"),
        mn=doc.get("mn"),
        factor_code=doc.get("factor_code"),
    )


def topology_from_json(doc: Mapping[str, Any]) -> Topology | None:
    """None when the enterprise did not exist (yet) at the topology's instant."""
    enterprise = doc.get("enterprise")
    if enterprise is None:
        return None
    facilities = tuple(
        Facility(str(f["id"]), str(f["name"]), FacilityKind(f["kind"]), f.get("rated_kw"))
        for f in doc.get("facilities", [])
        if f.get("kind") in {k.value for k in FacilityKind}
    )
    points = tuple(p for p in (_point(d) for d in doc.get("points", [])) if p is not None)
    links = tuple((str(k["production_facility_id"]), str(k["treatment_facility_id"])) for k in doc.get("links", []))
    requirements = {
        str(r["treatment_facility_id"]): tuple(tuple(str(pid) for pid in group) for group in r["groups"])
        for r in doc.get("treatment_requirements", [])
    }
    return Topology(
        ps_id=str(doc["ps_id"]),
        enterprise_name=str(enterprise.get("name", doc["ps_id"])),
        county=enterprise.get("county_code"),
        industry=enterprise.get("industry"),
        facilities=facilities,
        points=points,
        links=links,
        requirements=requirements,
    )
