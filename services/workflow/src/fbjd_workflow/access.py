"""Who may do what, checked by the service itself after the gateway (defence in depth).

Reading: city, admin and service see every alarm; a county user its county's; an enterprise only its own.
An alarm outside the caller's scope is answered exactly like one that does not exist (404), so nobody learns
what they may not see. The mobile enforcement client (role enforcement) reaches only the task API; a client
bound to a county (token claim `county`) sees only that county's tasks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_workflow.errors import WorkflowNotFound

__all__ = [
    "Enforcer",
    "EnterpriseUser",
    "Ingestor",
    "Reader",
    "Reviewer",
    "TaskReader",
    "TicketWorker",
    "ensure_visible",
    "is_visible",
]

Reader = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.SERVICE))]
EnterpriseUser = Annotated[Principal, Depends(require_roles(Role.ENTERPRISE))]
Reviewer = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY))]
Ingestor = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
Enforcer = Annotated[Principal, Depends(require_roles(Role.ENFORCEMENT))]
TicketWorker = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.ENTERPRISE))]
TaskReader = Annotated[Principal, Depends(require_roles(Role.ENFORCEMENT, Role.CITY, Role.COUNTY, Role.SERVICE))]


def is_visible(principal: Principal, *, ps_id: str, county: str) -> bool:
    if principal.role is Role.ENFORCEMENT:
        return principal.county is None or principal.county == county
    return principal.can_see(enterprise_id=ps_id, county=county)


def ensure_visible(principal: Principal, *, ps_id: str, county: str, what: str) -> None:
    """404 for anything outside the caller's scope, worded like "does not exist"."""
    if not is_visible(principal, ps_id=ps_id, county=county):
        raise WorkflowNotFound(f"{what}不存在或不在您的管辖范围内")
