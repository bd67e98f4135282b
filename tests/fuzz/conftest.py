"""Every HTTP service of the platform, served over real HTTP against the migrated test database.

The schemathesis tests are synchronous (hypothesis drives them), so each app runs in a uvicorn server on a thread of
its own with its own event loop, the way a separate process would.  Background workers (outbox senders, timers,
the rules worker, the HJ 212 listener) are switched off: the point is the HTTP API under bad input.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fbjd_infra.postgres import free_port
from pydantic import SecretStr

ORDER = ("registry", "ingest", "rules", "workflow", "bridge", "gateway")


class ThreadedServer:
    """uvicorn on 127.0.0.1 in a daemon thread (no signal handlers: it is not the main thread)."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self, timeout: float = 60.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _settings(service: str, database_url: str, secret: str, urls: dict[str, str]) -> Any:
    """Each service's own Settings, its background work off, its neighbours at the URLs served here."""
    common: dict[str, Any] = {"database_url": database_url, "jwt_secret": SecretStr(secret)}
    common.update({f"{name}_url": url for name, url in urls.items() if name != "gateway"})
    if service == "registry":
        from fbjd_registry.config import Settings as RegistrySettings

        return RegistrySettings(**common)
    if service == "ingest":
        from fbjd_ingest.config import Settings as IngestSettings

        return IngestSettings(**common, hj212_enabled=False, notify_rules=False, setup_on_connect=False)
    if service == "rules":
        from fbjd_rules.config import Settings as RulesSettings

        return RulesSettings(**common, background=False)
    if service == "workflow":
        from fbjd_workflow.config import Settings as WorkflowSettings

        return WorkflowSettings(**common, scheduler_enabled=False)
    if service == "bridge":
        from fbjd_bridge.config import Settings as BridgeSettings

        return BridgeSettings(**common, sender_enabled=False, registry_refresh_seconds=3600)
    from fbjd_gateway.config import Settings as GatewaySettings

    return GatewaySettings(**common, demo=False)


def create(service: str, settings: Any) -> FastAPI:
    factory: Callable[[Any], FastAPI]
    if service == "registry":
        from fbjd_registry.app import create_app as factory
    elif service == "ingest":
        from fbjd_ingest.app import create_app as factory
    elif service == "rules":
        from fbjd_rules.app import create_app as factory
    elif service == "workflow":
        from fbjd_workflow.app import create_app as factory
    elif service == "bridge":
        from fbjd_bridge.app import create_app as factory
    else:
        from fbjd_gateway.app import create_app as factory
    return factory(settings)


def openapi_of(service: str) -> dict[str, Any]:
    """The service's OpenAPI document, as its app publishes it (no database needed to build it)."""
    app = create(service, _settings(service, "postgresql://fbjd@127.0.0.1:1/none", "x" * 32, {}))
    spec: dict[str, Any] = app.openapi()
    return spec


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]


@pytest.fixture(scope="session")
def stack(database_url: str, jwt_secret: str) -> Iterator[Stack]:
    """All six apps over real HTTP, each knowing where the others are (the gateway routes to them)."""
    ports = {name: free_port() for name in ORDER}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    servers: list[ThreadedServer] = []
    try:
        for name in ORDER:
            server = ThreadedServer(create(name, _settings(name, database_url, jwt_secret, urls)), ports[name])
            server.start()
            servers.append(server)
        yield Stack(urls)
    finally:
        for server in reversed(servers):
            server.stop()
