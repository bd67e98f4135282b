"""Who may do what in the ingest API: roles (checked first) and scope (checked against each device).

Roles: city, county, admin and service read and write; enterprise reads, and only its own devices (psId).
Scope: a county principal sees the devices registered with its county code; devices registered without a
county are visible to city, admin and service only. A device outside the caller's scope answers 404, as if it
did not exist, so that MNs of other enterprises cannot be probed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fbjd_core.auth import Principal, Role, require_roles

from fbjd_ingest.errors import DeviceNotFound

__all__ = ["Reader", "Staff", "Writer", "ensure_visible", "scope_of"]

Reader = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.SERVICE))]
Writer = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.SERVICE))]
#: Operator views that belong to no enterprise (quarantine, security events, link statistics).
Staff = Writer


def scope_of(principal: Principal) -> tuple[str | None, str | None]:
    """(ps_id, county) that a listing must be restricted to; None means no restriction on that column."""
    if principal.role is Role.ENTERPRISE:
        return principal.enterprise_id or "-", None
    if principal.role is Role.COUNTY:
        return None, principal.county or "-"
    return None, None


def ensure_visible(principal: Principal, *, mn: str, ps_id: str, county: str | None) -> None:
    if not principal.can_see(enterprise_id=ps_id, county=county):
        raise DeviceNotFound(f"no device with MN {mn} (or it is not yours to see)")
