"""The states of an acceptance application and who moves it where.

draft 草稿 → submitted 已提交 (enterprise) → under_audit 审核中 (county's first platform audit) →
rectification 整改中 (a failed item or site audit; the enterprise resubmits → submitted) → passed 验收通过
(platform audit and site audit both passed) → filed 已备案 (the city; the enterprise becomes accepted).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EDITABLE", "REVIEWABLE", "STATE_LABELS", "ApplicationState"]


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_AUDIT = "under_audit"
    RECTIFICATION = "rectification"
    PASSED = "passed"
    FILED = "filed"


STATE_LABELS: dict[ApplicationState, str] = {
    ApplicationState.DRAFT: "草稿",
    ApplicationState.SUBMITTED: "已提交",
    ApplicationState.UNDER_AUDIT: "审核中",
    ApplicationState.RECTIFICATION: "整改中",
    ApplicationState.PASSED: "验收通过",
    ApplicationState.FILED: "已备案",
}

# The enterprise may change its form and documents, and submit, only in these states.
EDITABLE = frozenset({ApplicationState.DRAFT, ApplicationState.RECTIFICATION})
# The county may audit (platform and site) only in these.
REVIEWABLE = frozenset({ApplicationState.SUBMITTED, ApplicationState.UNDER_AUDIT})
