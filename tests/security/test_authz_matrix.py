"""The authorization matrix (访问控制矩阵, GB/T 22239 level 2): every role × every endpoint, generated from the
route tables, so an endpoint added without a role rule fails here.

- Every route of every member declares its roles (`require_roles`), apart from a short public list.
- Over real HTTP, each service answers 403 to exactly the roles its route does not allow; an allowed role with a
  well-formed token is never answered 401, 403 or 500 (dummy path parameters: 404 or 422 is fine).
- The gateway's ACCESS_RULES let no role through to a part of the house where no route allows it, and block no
  role that some route there allows.
- Scopes: an enterprise asking for another enterprise's resources (by psId, device MN, alarm id), or a county for
  another county's, is answered 404 (or 403) where the owner itself is answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_gateway.routing import ACCESS_RULES, AccessRule, allowed_roles
from fbjd_registry.samples import enterprise_form

from .conftest import COUNTY, ENTERPRISE_A, Stack, matrix_subject, scope_of
from .route_table import ALL_ROLES, PUBLIC, RouteRule, path_for, route_rules

MEMBERS = ("registry", "ingest", "rules", "workflow", "bridge", "gateway")
SERVICES = MEMBERS[:-1]
RENQIU = "130982"  # 任丘市: a county other than the matrix's 沧县


def _rules(stack: Stack, member: str) -> list[RouteRule]:
    return route_rules(member, stack.members[member].app)


@pytest.mark.parametrize("member", MEMBERS)
async def test_every_route_declares_the_roles_it_lets_through(stack: Stack, member: str) -> None:
    unruled = [r.label for r in _rules(stack, member) if r.roles is None and (r.method, r.path) not in PUBLIC]
    assert unruled == [], f"{member}: routes without a role rule (add require_roles): {unruled}"


async def _call(client: httpx.AsyncClient, rule: RouteRule, headers: dict[str, str], **params: str) -> httpx.Response:
    body: dict[str, Any] | None = {} if rule.has_body else None
    return await client.request(rule.method, path_for(rule, **params), json=body, headers=headers)


def _mismatch(rule: RouteRule, role: Role, status: int) -> str | None:
    assert rule.roles is not None
    if role in rule.roles:
        if status in (401, 403) or status >= 500:
            return f"{rule.label}: role {role.value} is allowed, expected 2xx/4xx but not 401/403/5xx, got {status}"
        return None
    if status != 403:
        return f"{rule.label}: role {role.value} is not allowed, expected 403, got {status}"
    return None


# The admin's seeding of the whole demo city is a long write (the registry's own tests cover it): only its
# refusals are checked here.
NOT_RUN_FOR_ALLOWED = frozenset({("POST", "/api/registry/demo/seed")})


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda role: role.value)
@pytest.mark.parametrize("member", MEMBERS)
async def test_a_role_is_refused_with_403_exactly_where_the_route_does_not_allow_it(
    stack: Stack, make_token: Callable[..., str], member: str, role: Role
) -> None:
    headers = {"Authorization": f"Bearer {make_token(role, subject=matrix_subject(role), **scope_of(role))}"}
    mismatches: list[str] = []
    checked = 0
    async with httpx.AsyncClient(base_url=stack.members[member].url, timeout=30) as client:
        for rule in _rules(stack, member):
            if rule.roles is None:
                continue
            if role in rule.roles and (rule.method, rule.path) in NOT_RUN_FOR_ALLOWED:
                continue
            reply = await _call(client, rule, headers)
            checked += 1
            problem = _mismatch(rule, role, reply.status_code)
            if problem is not None:
                mismatches.append(f"{problem} ({reply.text[:160]})")
    assert checked > 0
    assert mismatches == [], "\n".join(mismatches)


def _service_routes(stack: Stack) -> list[RouteRule]:
    return [r for m in SERVICES for r in _rules(stack, m) if r.roles is not None]


async def test_the_gateway_blocks_no_role_that_the_route_behind_it_allows(stack: Stack) -> None:
    blocked = [
        f"{r.label}: gateway refuses {sorted(role.value for role in r.roles - gate)}"
        for r in _service_routes(stack)
        if r.roles is not None and not r.roles <= (gate := allowed_roles(path_for(r)))
    ]
    assert blocked == [], "\n".join(blocked)


def _governing_rule(path: str) -> AccessRule | None:
    matches = [rule for rule in ACCESS_RULES if path.startswith(rule.prefix)]
    return max(matches, key=lambda rule: len(rule.prefix)) if matches else None


@pytest.mark.parametrize("access_rule", ACCESS_RULES, ids=lambda rule: rule.prefix)
async def test_the_gateway_lets_a_role_through_only_where_some_route_allows_it(
    stack: Stack, access_rule: AccessRule
) -> None:
    governed = [r for r in _service_routes(stack) if _governing_rule(path_for(r)) == access_rule]
    assert governed, f"{access_rule.prefix}: no route is governed by this rule"
    reachable = frozenset().union(*(r.roles or frozenset() for r in governed))
    needless = sorted(role.value for role in access_rule.roles - reachable)
    assert needless == [], f"{access_rule.prefix} lets {needless} through, but no route under it allows them"


# -- scopes -------------------------------------------------------------------------------------------------------


async def _enterprise_b(stack: Stack, city: dict[str, str]) -> str:
    """Enterprise B in 沧县, made through the registry's API by the city, with one device at ingest."""
    payload = enterprise_form(
        COUNTY, name="沧州市权限测试化工有限公司", address="河北省沧州市沧县兴济镇工业园区1号", industry="化工"
    )
    ps_id = str(payload["ps_id"])
    async with httpx.AsyncClient(base_url=stack.members["registry"].url) as client:
        made = await client.post("/api/registry/enterprises", json=payload, headers=city)
    assert made.status_code == 201, made.text
    return ps_id


async def _device_of(stack: Stack, ps_id: str, city: dict[str, str]) -> str:
    mn = uuid.uuid4().hex[:24].upper()
    body = {"mn": mn, "password": "123456", "ps_id": ps_id, "name": "1号窑生产线电表", "county": COUNTY}
    async with httpx.AsyncClient(base_url=stack.members["ingest"].url) as client:
        made = await client.post("/api/ingest/devices", json=body, headers=city)
    assert made.status_code == 201, made.text
    return mn


async def _alarm_of(stack: Stack, ps_id: str, service: dict[str, str]) -> str:
    """An abnormal record of B from the rules service (role service) → an alarm at the workflow."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    record = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": ps_id,
        "enterprise_name": "沧州市权限测试化工有限公司",
        "county": COUNTY,
        "industry": "化工",
        "production_facility_id": "pf-1",
        "production_facility_name": "1#反应釜",
        "treatment_facility_id": "tf-1",
        "treatment_facility_name": "1#RTO",
        "treatment_point_id": "pt-1",
        "treatment_point_ids": ["pt-1"],
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=20)).isoformat(),
        "ongoing": True,
        "duration_minutes": 20,
        "grade": "general",
        "production_threshold_kw": 12.5,
        "treatment_threshold_kw": 4.0,
        "judgement_minutes": 15,
        "limit_ratio": None,
        "remark": "生产设施运行期间RTO停运",
        "status": "open",
    }
    async with httpx.AsyncClient(base_url=stack.members["workflow"].url, timeout=30) as client:
        made = await client.post("/api/workflow/abnormals", json=record, headers=service)
    assert made.status_code == 201, made.text
    return str(record["id"])


SCOPED_PARAMS = ("ps_id", "mn", "alarm_id")
# Quarantine is the operators' view of packets no device took (unknown MNs, wild clocks): staff-wide by design
# (fbjd_ingest.access), so it is not scoped to an enterprise or county.
NOT_ENTERPRISE_SCOPED = ("/api/ingest/quarantine",)


@pytest.fixture(scope="module")
async def enterprise_b(stack: Stack, make_token: Callable[..., str]) -> dict[str, str]:
    city = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    service = {"Authorization": f"Bearer {make_token(Role.SERVICE, subject='rules')}"}
    ps_id = await _enterprise_b(stack, city)
    return {
        "ps_id": ps_id,
        "mn": await _device_of(stack, ps_id, city),
        "alarm_id": await _alarm_of(stack, ps_id, service),
    }


@pytest.mark.parametrize("member", ["registry", "ingest", "workflow"])
async def test_another_enterprise_or_county_is_answered_as_if_the_resource_did_not_exist(
    stack: Stack, make_token: Callable[..., str], enterprise_b: dict[str, str], member: str
) -> None:
    """Enterprise A and the county of 任丘 ask for enterprise B's (沧县) resources: 404/403 for every read that
    names B's enterprise (psId), device (MN) or alarm; B itself and the 沧县 county are answered."""

    def auth(role: Role, **scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role, **scope)}"}

    outsiders = [(Role.ENTERPRISE, {"enterprise_id": ENTERPRISE_A}), (Role.COUNTY, {"county": RENQIU})]
    insiders = [(Role.ENTERPRISE, {"enterprise_id": enterprise_b["ps_id"]}), (Role.COUNTY, {"county": COUNTY})]
    reads = [
        r
        for r in _rules(stack, member)
        if r.method == "GET"
        and any(name in SCOPED_PARAMS for name, _ in r.path_params)
        and not r.path.startswith(NOT_ENTERPRISE_SCOPED)
    ]
    assert reads, f"{member}: no reads by psId or MN found"
    problems: list[str] = []
    async with httpx.AsyncClient(base_url=stack.members[member].url, timeout=30) as client:
        for rule in reads:
            for (role, scope), own in [*((each, True) for each in insiders), *((each, False) for each in outsiders)]:
                if rule.roles is None or role not in rule.roles:
                    continue  # refused for its role: the matrix above checks that
                reply = await _call(client, rule, auth(role, **scope), **enterprise_b)
                if own and reply.status_code in (403, 404):
                    problems.append(f"{rule.label}: {role.value} {scope} (the owner's scope) got {reply.status_code}")
                if not own and reply.status_code not in (403, 404):
                    problems.append(f"{rule.label}: {role.value} {scope} got {reply.status_code}, expected 404/403")
    assert problems == [], "\n".join(problems)
