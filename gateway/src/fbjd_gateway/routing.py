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
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class AccessRule:
    """Roles allowed on paths starting with `prefix` (the longest matching prefix wins)."""

    prefix: str
    roles: frozenset[Role]


# Kept equal to what the services' routes allow (tests/security/test_authz_matrix.py checks both directions:
# no role let through where no route takes it, no role blocked that a route takes).
ACCESS_RULES: tuple[AccessRule, ...] = (
    AccessRule("/api/ingest/", EVERYONE_HUMAN),
    AccessRule("/api/registry/", EVERYONE_HUMAN),
    AccessRule("/api/registry/vendor-blacklist", EVERYONE),  # the city's published blacklist: every signed-in role
    AccessRule("/api/rules/", EVERYONE_HUMAN),
    AccessRule("/api/workflow/", EVERYONE_HUMAN),
    AccessRule("/api/workflow/tasks", STAFF | {Role.ENFORCEMENT}),  # the mobile enforcement system's task API
    AccessRule("/api/bridge/", frozenset({Role.CITY, Role.ADMIN, Role.SERVICE})),
    AccessRule("/api/bridge/province/", frozenset({Role.PROVINCE, Role.CITY, Role.ADMIN})),
    AccessRule("/api/bridge/self-audit", frozenset({Role.CITY, Role.COUNTY, Role.ADMIN})),  # a county: its own
    # County platforms push to the city through the province's interface (a county: its own enterprises).
    AccessRule("/api/bridge/pcom/", frozenset({Role.CITY, Role.COUNTY, Role.ADMIN})),
    AccessRule("/api/bridge/county-reports", frozenset({Role.CITY, Role.COUNTY, Role.ADMIN})),
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
