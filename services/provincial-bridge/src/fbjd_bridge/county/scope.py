"""Whose records a caller may report, and whether their ids are the registry's. Pure.

A county platform (role county, token claim `county`) reports only enterprises of its county; the city and
admin any enterprise. The ids must be the registry's (the same the province synced): the enterprise, the
production facility, the treatment facility and every point of the node must be registered under that psId.
What the city's alarm needs (names, county, industry) is taken from the same registry reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fbjd_core.auth import Principal, Role

from fbjd_bridge.county.validation import CountyItem, Problem

__all__ = ["Enterprise", "check", "enterprise_of"]


@dataclass(frozen=True, slots=True)
class Enterprise:
    """An enterprise as the registry answered it: its county and the names of its facilities and points."""

    ps_id: str
    name: str
    county: str
    industry: str
    facilities: dict[str, str]  # facility id → name
    points: dict[str, str]  # point id → name


def enterprise_of(topology: dict[str, Any]) -> Enterprise:
    """The registry's topology (GET /enterprises/{psId}/topology) → what the bridge needs of it."""
    enterprise = topology["enterprise"]
    return Enterprise(
        ps_id=str(enterprise["ps_id"]),
        name=str(enterprise["name"]),
        county=str(enterprise["county_code"]),
        industry=str(enterprise.get("industry") or ""),
        facilities={str(f["id"]): str(f["name"]) for f in topology.get("facilities", [])},
        points={str(p["id"]): str(p["name"]) for p in topology.get("points", [])},
    )


def _registered(item: CountyItem, enterprise: Enterprise) -> Problem | None:
    if item.production_facility_id not in enterprise.facilities:
        return Problem(item.index, "productorEquipId", f"不是企业 {item.ps_id} 登记的生产设施编号")
    treatment = item.treatment_facility_id
    if treatment is not None and treatment not in enterprise.facilities:
        return Problem(item.index, "treatmentId", f"不是企业 {item.ps_id} 登记的治理设施编号")
    if item.endpoint.value == "abnormal" and item.point not in enterprise.points:
        return Problem(item.index, "treatmentAmmeterId", f"不是企业 {item.ps_id} 登记的测点编号")
    unknown = [point for point in item.point_ids if point not in enterprise.points]
    if unknown:
        return Problem(item.index, "treatmentAmmeterIds", f"含有企业 {item.ps_id} 未登记的测点编号 {unknown[0]}")
    return None


def check(principal: Principal, items: list[CountyItem], enterprises: dict[str, Enterprise | None]) -> Problem | None:
    """The first item the caller may not report, or whose ids the registry does not know; None: all fine."""
    for item in items:
        enterprise = enterprises.get(item.ps_id)
        if enterprise is None:
            return Problem(item.index, "psId", f"登记库中没有企业 {item.ps_id}")
        if principal.role is Role.COUNTY and enterprise.county != principal.county:
            return Problem(item.index, "psId", f"企业 {item.ps_id} 不在本县（{principal.county}）管辖范围内")
        if (problem := _registered(item, enterprise)) is not None:
            return problem
    return None
