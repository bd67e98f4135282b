"""Findings of the province's platform audit (附件4 §4, 平台审核)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

__all__ = ["AuditReport", "Category", "EntityRef", "Finding", "Severity"]


class Category(StrEnum):
    POINTS_INCOMPLETE = "points_incomplete"  # 测点不全
    NAMES_UNCLEAR = "names_unclear"  # 命名不清
    CORRESPONDENCE_INCONSISTENT = "correspondence_inconsistent"  # 对应关系不一致
    THRESHOLDS_MISSING = "thresholds_missing"  # 阈值缺失


class Severity(StrEnum):
    ERROR = "error"  # must be rectified before acceptance
    WARNING = "warning"  # to be looked at


class EntityRef(BaseModel):
    type: str  # enterprise | facility | point | link
    id: str
    name: str


class Finding(BaseModel):
    code: str
    category: Category
    severity: Severity
    message: str
    entity: EntityRef


class AuditReport(BaseModel):
    ps_id: str
    ran_at: datetime
    passed: bool  # no finding of severity error
    errors: int
    warnings: int
    findings: list[Finding]
