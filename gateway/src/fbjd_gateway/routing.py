"""Which service answers which path, and which roles may reach it.

The gateway checks the role here (first line); every service checks role and scope again
for each endpoint (second line). Scopes (own enterprise, own county) need the data, so they
are the services' to enforce.
"""

from __future__ import annotations

from dataclasses import dataclass

from fbjd_core.auth import Role

__all__ = ["ACCESS_RULES", "SERVICES", "AccessRule", "allowed_roles", "service_of"]

# Path segment after /api/ → settings attribute holding that service's base URL.
SERVICES: dict[str, str] = {
    "registry": "registry_url",
    "ingest": "ingest_url",
    "rules": "rules_url",
    "workflow": "workflow_url",
    "bridge": "bridge_url",
}

STAFF = frozenset({Role.CITY, Role.COUNTY, Role.ADMIN, Role.SERVICE})
EVERYONE_HUMAN = STAFF | {Role.ENTERPRISE}


@dataclass(frozen=True)
class AccessRule:
    """Roles allowed on paths starting with `prefix` (the longest matching prefix wins)."""

    prefix: str
    roles: frozenset[Role]


ACCESS_RULES: tuple[AccessRule, ...] = (
    AccessRule("/api/ingest/", STAFF | {Role.ENTERPRISE}),
    AccessRule("/api/registry/", EVERYONE_HUMAN),
    AccessRule("/api/rules/", EVERYONE_HUMAN),
    AccessRule("/api/workflow/", EVERYONE_HUMAN),
    AccessRule("/api/workflow/tasks", EVERYONE_HUMAN | {Role.ENFORCEMENT}),
    AccessRule("/api/bridge/", STAFF),
    AccessRule("/api/bridge/province/", STAFF | {Role.PROVINCE}),
)


def service_of(path: str) -> str | None:
    parts = path.split("/", 3)
    if len(parts) < 3 or parts[1] != "api":
        return None
    return parts[2] if parts[2] in SERVICES else None


def allowed_roles(path: str) -> frozenset[Role]:
    matches = [rule for rule in ACCESS_RULES if path.startswith(rule.prefix)]
    if not matches:
        return frozenset({Role.ADMIN})
    return max(matches, key=lambda rule: len(rule.prefix)).roles
