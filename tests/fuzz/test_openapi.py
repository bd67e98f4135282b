"""Every HTTP operation of every service, fuzzed against its own OpenAPI document with schemathesis.

For each operation hypothesis draws valid (schema-conforming) and invalid requests, sends them over real HTTP with
an admin token to the service running on the migrated test database, and checks that the service never answers
5xx: a request it cannot use is a clear 4xx.  Examples per operation are bounded so the whole file stays well
under three minutes.  A failure prints the reproducing request (schemathesis' curl line).

Random generation rarely hits the values that break a database-backed API, so a second test sends each operation
the boundary values by hand, one parameter (or top-level body field) at a time: integers past PostgreSQL's
``integer``/``bigint``, the first and last instants Python can hold (with time zones that push them over), and
strings with a NUL character.  Each must be answered without a 5xx.

Known bugs in services this file's owner may not edit are listed in KNOWN with the reproducer; each is a strict
xfail, so fixing the bug turns the xfail into a failure that asks for the entry to be removed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from fbjd_core.auth import Role
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from .conftest import ORDER, Stack, openapi_of

pytestmark = pytest.mark.slow

# Examples per operation and generation mode; FBJD_FUZZ_EXAMPLES=200 for a deeper run than `make test`'s.
EXAMPLES = int(os.environ.get("FBJD_FUZZ_EXAMPLES", "6"))
#: Operations that do a lot per call: fewer examples, still fuzzed (seeding the demo city, a full registry pull
#: by the bridge over HTTP, a password check that is slow by design).
FEWER_EXAMPLES = {
    ("registry", "POST", "/api/registry/demo/seed"): 1,
    ("bridge", "GET", "/api/bridge/province/registry"): 2,
    ("gateway", "POST", "/api/auth/token"): 3,
}
METHODS = ("get", "put", "post", "patch", "delete")

SPECS = {service: openapi_of(service) for service in ORDER}
OPERATIONS = [
    (service, method.upper(), path)
    for service, spec in SPECS.items()
    for path, item in spec["paths"].items()
    for method in item
    if method in METHODS
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX)
def _xlsx(_ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """The point-table upload: whatever was generated, as the bytes of a (broken) spreadsheet file."""
    return value if isinstance(value, bytes) else b"PK\x03\x04" + repr(value).encode()


#: Operations for which 401 is the right answer to every generated request (they want a refresh token, which the
#: fuzzer cannot forge); everywhere else an all-401 run means the admin token was not accepted.
REFUSES_ANY_TOKEN = {
    ("gateway", "POST", "/api/auth/refresh"),
    ("gateway", "POST", "/api/auth/token"),  # generated credentials are wrong: 401 is the right answer to all
}

#: (test, service, METHOD, path) → why it fails today (a bug reported to the service's owner, with its reproducer);
#: test is "random" or "boundary". The 18 found on 2026-11-25 had three causes shared by every service — a NUL in
#: a string, an integer beyond int32/int64, an instant at the edge of Python's range reaching the database — and are
#: answered with a 422 by the core's error handlers since (fbjd_core.errors).
KNOWN: dict[tuple[str, str, str, str], str] = {}  # none open: every service answers bad values with a 4xx

EDGES: dict[str, tuple[Any, ...]] = {
    "integer": (2**31, 2**63, -(2**63) - 1),
    "date-time": ("0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"),
    "date": ("0001-01-01", "9999-12-31"),
    "string": ("nul\x00byte",),
}


def _param(test: str, service: str, method: str, path: str) -> Any:
    """The operation as a test case; a KNOWN bug makes it an xfail.

    Boundary entries are strict: the probe is deterministic, so a fix turns the entry into a failure that asks for
    its removal.  Random entries are not: hypothesis' derandomized examples change with the test's code and the
    schema, so whether they hit the bug again is chance; each random entry has a strict boundary twin."""
    reason = KNOWN.get((test, service, method, path))
    marks = [pytest.mark.xfail(strict=test == "boundary", reason=reason)] if reason else []
    return pytest.param(service, method, path, marks=marks, id=f"{service} {method} {path}")


@pytest.fixture(scope="module")
def admin_headers(make_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(Role.ADMIN, subject='schemathesis')}"}


def test_every_service_publishes_operations_to_fuzz() -> None:
    by_service = {service: sum(1 for s, _, _ in OPERATIONS if s == service) for service in ORDER}
    assert all(count >= 1 for count in by_service.values()), by_service
    assert len(OPERATIONS) >= 100


@pytest.mark.parametrize(("service", "method", "path"), [_param("random", *op) for op in OPERATIONS])
def test_the_operation_answers_any_request_without_a_server_error(
    stack: Stack, admin_headers: dict[str, str], service: str, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_dict(SPECS[service])
    operation = schema[path][method]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    base_url = stack.urls[service]

    @settings(
        max_examples=2 * FEWER_EXAMPLES.get((service, method, path), EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def answers(case: schemathesis.Case[Any]) -> None:
        response = case.call(base_url=base_url, headers=admin_headers, timeout=30)
        statuses.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    statuses: list[int] = []
    answers()
    if (service, method, path) not in REFUSES_ANY_TOKEN:
        assert set(statuses) != {401}, "every request was refused as unauthenticated: the fuzz never reached it"


# -- boundary values, one at a time ---------------------------------------------------------------------------------
def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _kind(spec: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """Which EDGES apply to a parameter or property schema (anyOf/oneOf branches looked into)."""
    schema = _resolve(spec, schema)
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        kind = _kind(spec, branch)
        if kind is not None:
            return kind
    if schema.get("type") == "integer":
        return "integer"
    if schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
        return schema.get("format") if schema.get("format") in ("date-time", "date") else "string"
    return None


def _targets(service: str, method: str, path: str) -> list[tuple[str, str, str]]:
    """(location, name, kind) of every parameter and top-level JSON body property that takes a boundary value."""
    spec = SPECS[service]
    definition = spec["paths"][path][method.lower()]
    out = []
    for parameter in definition.get("parameters", []):
        kind = _kind(spec, parameter.get("schema", {}))
        if kind is not None and parameter["in"] in ("path", "query"):
            out.append((parameter["in"], parameter["name"], kind))
    body = definition.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        for name, prop in _resolve(spec, body).get("properties", {}).items():
            kind = _kind(spec, prop)
            if kind is not None:
                out.append(("body", name, kind))
    return out


PROBED = [op for op in OPERATIONS if _targets(*op)]


def test_boundary_values_reach_most_operations() -> None:
    assert len(PROBED) >= len(OPERATIONS) // 3


@pytest.mark.parametrize(("service", "method", "path"), [_param("boundary", *op) for op in PROBED])
def test_the_operation_answers_boundary_values_without_a_server_error(
    stack: Stack, admin_headers: dict[str, str], service: str, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_dict(SPECS[service])
    operation = schema[path][method]
    bases: list[schemathesis.Case[Any]] = []

    @settings(max_examples=1, derandomize=True, database=None, phases=[Phase.generate])
    @given(operation.as_strategy(GenerationMode.POSITIVE))
    def base_case(case: schemathesis.Case[Any]) -> None:
        bases.append(case)

    base_case()
    base = bases[-1]
    failures = []
    fresh = httpx.Limits(max_keepalive_connections=0)  # one 500 must not reset the next request's connection
    with httpx.Client(base_url=stack.urls[service], headers=admin_headers, timeout=30, limits=fresh) as client:
        for where, name, kind in _targets(service, method, path):
            for edge in EDGES[kind]:
                path_params = {k: quote(str(v), safe="") for k, v in (base.path_parameters or {}).items()}
                query = dict(base.query or {})
                body = dict(base.body) if isinstance(base.body, dict) else {}
                if where == "path":
                    path_params[name] = quote(str(edge), safe="")
                elif where == "query":
                    query[name] = edge
                else:
                    body[name] = edge
                url = path.format(**path_params)
                json_body = body if where == "body" or isinstance(base.body, dict) else None
                try:
                    reply = client.request(method, url, params=query, json=json_body)
                except httpx.TransportError as exc:
                    failures.append(f"{method} {url} {where} {name}={edge!r} → connection lost: {exc!r}")
                    continue
                if reply.status_code >= 500:
                    failures.append(f"{method} {url} {where} {name}={edge!r} → {reply.status_code} {reply.text[:200]}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
