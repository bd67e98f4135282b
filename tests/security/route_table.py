"""The route tables of every member, read from their FastAPI apps, with the roles each route lets through.

A route's rule is what its dependencies declare: every `require_roles(...)` in its dependency tree (the object
carries `.roles`, admin included); with several, a caller must pass them all (the intersection). A route with no
rule at all is `roles=None`, which the matrix test refuses unless the route is in `PUBLIC`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fbjd_core.auth import Role, RoleCheck

__all__ = ["ALL_ROLES", "PUBLIC", "RouteRule", "path_for", "route_rules"]

ALL_ROLES: tuple[Role, ...] = (
    Role.CITY,
    Role.COUNTY,
    Role.ENTERPRISE,
    Role.ADMIN,
    Role.SERVICE,
    Role.ENFORCEMENT,
    Role.PROVINCE,
)

#: Routes that answer without a token, on purpose. Keep this short: anything else needs a role rule.
PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        *(
            (method, f"/api/{name}/health")
            for method in ("GET",)
            for name in ("registry", "ingest", "rules", "workflow", "bridge", "auth")
        ),
        ("POST", "/api/auth/token"),  # the login itself
        # The gateway's two catch-alls forward to a service (checked by ACCESS_RULES, then by the service).
        *((method, "/api/{service}/{rest:path}") for method in ("GET", "POST", "PUT", "PATCH", "DELETE")),
        *((method, "/{rest:path}") for method in ("GET", "POST")),
    }
)


@dataclass(frozen=True)
class RouteRule:
    member: str
    method: str
    path: str
    roles: frozenset[Role] | None
    path_params: tuple[tuple[str, Any], ...]  # (name, annotation)
    has_body: bool

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _role_rules(dependant: Dependant) -> Iterator[frozenset[Role]]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleCheck):
            yield sub.call.roles
        yield from _role_rules(sub)


def _path_params(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    for field in dependant.path_params:
        yield field.name, field.field_info.annotation
    for sub in dependant.dependencies:
        yield from _path_params(sub)


def route_rules(member: str, app: FastAPI) -> list[RouteRule]:
    rules: list[RouteRule] = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        dependant: Dependant = context.dependant
        found = list(_role_rules(dependant))
        roles = frozenset.intersection(*found) if found else None
        params = tuple(dict(_path_params(dependant)).items())
        path: str = context.path or ""
        for method in sorted((context.methods or set()) - {"HEAD"}):
            rules.append(RouteRule(member, method, path, roles, params, has_body=context.body_field is not None))
    return rules


# Path parameters of something that does not exist, but is well-formed (so an allowed role is answered
# 404 or 422 by the handler, never by the role check).
_BY_NAME: dict[str, str] = {
    "ps_id": "0" * 31 + "1",
    "mn": "0" * 23 + "1",
    "city_code": "130900",
    "code": "130921",
}


def _dummy(name: str, annotation: Any) -> str:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if annotation is uuid.UUID:
        return str(uuid.UUID(int=1))
    if annotation is int:
        return "1"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return str(next(iter(annotation)).value)
    if get_origin(annotation) is Literal:
        return str(get_args(annotation)[0])
    return "x"


def path_for(rule: RouteRule, **given: str) -> str:
    """The route's path with dummy (or the `given`) values for its parameters."""
    path = rule.path
    for name, annotation in rule.path_params:
        path = path.replace(f"{{{name}}}", given.get(name) or _dummy(name, annotation))
    return path
