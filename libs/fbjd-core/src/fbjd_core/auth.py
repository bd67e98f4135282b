"""Principals and JWTs. This is the only module that calls the JWT library (python-jose),
so it can be swapped in one place.

The gateway issues tokens; every service verifies the forwarded token itself again
(defence in depth: a request that bypasses the gateway is still checked).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from jose import JWTError, jwt

from fbjd_core.errors import Forbidden, Unauthorized
from fbjd_core.time import now

__all__ = [
    "Principal",
    "PrincipalDep",
    "Role",
    "RoleCheck",
    "bearer_token",
    "decode_token",
    "issue_token",
    "principal_dependency",
    "require_roles",
]

ALGORITHM = "HS256"
ISSUER = "fbjd"


class Role(StrEnum):
    PROVINCE = "province"  # 省级平台 (machine client)
    CITY = "city"  # 市生态环境局
    COUNTY = "county"  # 县(市、区)分局
    ENTERPRISE = "enterprise"  # 排污单位
    ENFORCEMENT = "enforcement"  # 移动执法系统 (machine client)
    ADMIN = "admin"
    SERVICE = "service"  # one fbjd service calling another


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    county: str | None = None  # county code, for role county
    enterprise_id: str | None = None  # psId, for role enterprise

    def can_see(self, *, enterprise_id: str | None = None, county: str | None = None) -> bool:
        """Scope check: an enterprise sees only itself, a county only its county."""
        if self.role is Role.ENTERPRISE:
            return enterprise_id is not None and enterprise_id == self.enterprise_id
        if self.role is Role.COUNTY:
            return county is not None and county == self.county
        return True


def issue_token(principal: Principal, *, secret: str, ttl: timedelta, issued_at: datetime | None = None) -> str:
    at = issued_at or now()
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": principal.subject,
        "role": principal.role.value,
        "iat": int(at.timestamp()),
        "exp": int((at + ttl).timestamp()),
    }
    if principal.county:
        claims["county"] = principal.county
    if principal.enterprise_id:
        claims["ent"] = principal.enterprise_id
    token: str = jwt.encode(claims, secret, algorithm=ALGORITHM)
    return token


def decode_token(token: str, *, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER)
    except JWTError as exc:
        raise Unauthorized(f"invalid or expired token: {exc}") from exc
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError) as exc:
        raise Unauthorized("token carries no valid role") from exc
    return Principal(
        subject=str(claims["sub"]), role=role, county=claims.get("county"), enterprise_id=claims.get("ent")
    )


def token_expiry(token: str, *, secret: str) -> datetime:
    """When a valid token expires (the web app refreshes a session's token once half its life is gone)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER)
    except JWTError as exc:
        raise Unauthorized(f"invalid or expired token: {exc}") from exc
    return datetime.fromtimestamp(int(claims["exp"]), UTC)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


async def principal_dependency(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("missing bearer token")
    secret: str = request.app.state.settings.jwt_secret.get_secret_value()
    return decode_token(token, secret=secret)


PrincipalDep = Annotated[Principal, Depends(principal_dependency)]


class RoleCheck:
    """The dependency `require_roles` returns. `roles` (admin included) is what the authorization matrix
    test reads from each route's dependencies, so a route's rule is declared in one place only."""

    __slots__ = ("roles",)

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    async def __call__(self, principal: PrincipalDep) -> Principal:
        if principal.role not in self.roles:
            raise Forbidden(
                f"role {principal.role.value!r} may not do this; allowed: {sorted(r.value for r in self.roles)}"
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleCheck({sorted(r.value for r in self.roles)})"


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only the given roles through (admin always passes).

    The returned callable carries `.roles`: the full set it lets through."""
    return RoleCheck(frozenset(roles) | {Role.ADMIN})
