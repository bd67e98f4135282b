"""Who may read and change what (the service's own check, after the gateway's).

Reads: city, admin and service see every enterprise; a county only its county's; an enterprise only itself.
An enterprise outside the caller's scope is answered exactly like one that does not exist (404), so a caller
learns nothing about enterprises it may not see. Writes of master data: city, county (own county) and admin;
any other role gets 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fbjd_core.auth import Principal, Role, require_roles
from fbjd_core.time import now

from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.errors import RegistryNotFound, WriteForbidden

__all__ = [
    "EDITORS",
    "READERS",
    "Editor",
    "Reader",
    "change_context",
    "ensure_county_writable",
    "ensure_visible",
    "not_found",
]

READERS = (Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.SERVICE)
EDITORS = (Role.CITY, Role.COUNTY)  # admin always passes

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Editor = Annotated[Principal, Depends(require_roles(*EDITORS))]


def not_found(ps_id: str) -> RegistryNotFound:
    return RegistryNotFound(f"企业 {ps_id} 不存在或不在您的管辖范围内")


def ensure_visible(principal: Principal, *, ps_id: str, county_code: str) -> None:
    if not principal.can_see(enterprise_id=ps_id, county=county_code):
        raise not_found(ps_id)


def ensure_county_writable(principal: Principal, county_code: str) -> None:
    """A county user may create or move enterprises only within its own county."""
    if principal.role is Role.COUNTY and principal.county != county_code:
        raise WriteForbidden(f"县级用户只能登记或修改本县({principal.county})的企业，不能操作 {county_code}")


def change_context(principal: Principal) -> ChangeContext:
    return ChangeContext(actor=f"{principal.role.value}:{principal.subject}", at=now())
