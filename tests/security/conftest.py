"""Every service and the gateway, each built by its own app factory and served over real HTTP on the migrated
test database, with their background work off (workers, schedulers, senders, the HJ 212 listener): the
authorization matrix talks to their HTTP doors only.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fbjd_bridge.app import create_app as create_bridge
from fbjd_bridge.config import Settings as BridgeSettings
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.time import now
from fbjd_gateway.accounts import create_account
from fbjd_gateway.app import create_app as create_gateway
from fbjd_gateway.config import Settings as GatewaySettings
from fbjd_ingest.app import create_app as create_ingest
from fbjd_ingest.config import Settings as IngestSettings
from fbjd_registry.app import create_app as create_registry
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_rules.app import create_app as create_rules
from fbjd_rules.config import Settings as RulesSettings
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app as create_workflow
from fbjd_workflow.config import Settings as WorkflowSettings
from pydantic import SecretStr

NOWHERE = "http://127.0.0.1:9"  # nothing listens there
COUNTY = "130921"  # 沧县: the county of the matrix's county token
ENTERPRISE_A = uuid.uuid4().hex  # the enterprise of the matrix's enterprise token


def matrix_subject(role: Role) -> str:
    """The account (at the gateway) behind the matrix's token of this role; unique per test session."""
    return f"matrix-{role.value}-{_RUN}"


_RUN = uuid.uuid4().hex[:6]


def scope_of(role: Role) -> dict[str, str]:
    """The scope claims of the matrix's token of this role."""
    if role is Role.COUNTY:
        return {"county": COUNTY}
    if role is Role.ENTERPRISE:
        return {"enterprise_id": ENTERPRISE_A}
    return {}


@dataclass(frozen=True)
class Member:
    name: str
    app: FastAPI
    url: str


@dataclass(frozen=True)
class Stack:
    members: dict[str, Member]


def _apps(database_url: str, secret: SecretStr, registry_url: str) -> dict[str, FastAPI]:
    common = {"database_url": database_url, "jwt_secret": secret}
    return {
        "ingest": create_ingest(IngestSettings(**common, hj212_enabled=False, notify_rules=False)),  # type: ignore[arg-type]
        "rules": create_rules(RulesSettings(**common, background=False, registry_url=registry_url)),  # type: ignore[arg-type]
        "workflow": create_workflow(
            WorkflowSettings(**common, scheduler_enabled=False, registry_url=registry_url, bridge_url=NOWHERE)  # type: ignore[arg-type]
        ),
        "bridge": create_bridge(BridgeSettings(**common, sender_enabled=False, registry_url=registry_url)),  # type: ignore[arg-type]
        "gateway": create_gateway(GatewaySettings(**common, registry_url=registry_url)),  # type: ignore[arg-type]
    }


@pytest.fixture(scope="session")
async def stack(database_url: str, jwt_secret: str) -> AsyncIterator[Stack]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=now()))
    async with make_sessionmaker(engine).begin() as session:  # the gateway's: one account per role
        for role in Role:
            await create_account(
                session,
                username=matrix_subject(role),
                password="Matrix-Pass-2026",
                role=role,
                actor="test:setup",
                county=scope_of(role).get("county"),
                enterprise_id=scope_of(role).get("enterprise_id"),
            )
    await engine.dispose()
    secret = SecretStr(jwt_secret)
    async with AsyncExitStack() as stack:
        registry = create_registry(RegistrySettings(database_url=database_url, jwt_secret=secret))
        registry_url = await stack.enter_async_context(serve(registry))
        members = {"registry": Member("registry", registry, registry_url)}
        for name, app in _apps(database_url, secret, registry_url).items():
            members[name] = Member(name, app, await stack.enter_async_context(serve(app)))
        yield Stack(members)
