"""`fbjd run`: the whole platform in one command.

1. PostgreSQL: DATABASE_URL when set, else the embedded server under `.data/postgres`.
2. Every service's migrations.
3. One process per service, the gateway and the web app (honcho), each its own uvicorn.
4. The simulated terminals of the demo city, once the platform answers.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fbjd_core.logging import configure_logging
from honcho.manager import Manager

from fbjd_infra.demo import DemoError, seed_demo_city
from fbjd_infra.migrate import migrate_all
from fbjd_infra.postgres import EmbeddedPostgres

__all__ = ["Topology", "database_url_or_embedded", "run_platform"]

log = logging.getLogger(__name__)
DATA_DIR = Path(os.environ.get("FBJD_DATA_DIR", ".data"))


@dataclass(frozen=True)
class Topology:
    """Where each process listens. Services bind to loopback; only the gateway and HJ 212 face the network."""

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    hj212_port: int = 9212
    service_port_base: int = 8101

    # (process name, uvicorn factory, settings attribute of its URL); port = base + index
    SERVICES = (
        ("registry", "fbjd_registry.app:main", "REGISTRY_URL"),
        ("ingest", "fbjd_ingest.app:main", "INGEST_URL"),
        ("rules", "fbjd_rules.app:main", "RULES_URL"),
        ("workflow", "fbjd_workflow.app:main", "WORKFLOW_URL"),
        ("bridge", "fbjd_bridge.app:main", "BRIDGE_URL"),
        ("web", "fbjd_web.app:main", "WEB_URL"),
    )

    @classmethod
    def from_env(cls) -> Topology:
        return cls(
            http_host=os.environ.get("FBJD_HTTP_HOST", "127.0.0.1"),
            http_port=int(os.environ.get("FBJD_HTTP_PORT", "8000")),
            hj212_port=int(os.environ.get("FBJD_HJ212_PORT", "9212")),
            service_port_base=int(os.environ.get("FBJD_SERVICE_PORT_BASE", "8101")),
        )

    @property
    def province_port(self) -> int:
        """The simulated province (demo mode) listens just after the services."""
        return self.service_port_base + len(self.SERVICES)

    def env(self) -> dict[str, str]:
        urls = {
            f"FBJD_{setting}": f"http://127.0.0.1:{self.service_port_base + index}"
            for index, (_name, _factory, setting) in enumerate(self.SERVICES)
        }
        return {
            **urls,
            "FBJD_GATEWAY_URL": f"http://127.0.0.1:{self.http_port}",
            "FBJD_HJ212_PORT": str(self.hj212_port),
        }

    def processes(self) -> list[tuple[str, str]]:
        python = sys.executable
        uvicorn = f"{python} -m uvicorn --factory --no-access-log --log-level warning"
        commands = [
            (name, f"{uvicorn} {factory} --host 127.0.0.1 --port {self.service_port_base + index}")
            for index, (name, factory, _setting) in enumerate(self.SERVICES)
        ]
        commands.append(("gateway", f"{uvicorn} fbjd_gateway.app:main --host {self.http_host} --port {self.http_port}"))
        return commands

    def province_process(self) -> tuple[str, str]:
        """The simulated provincial platform (demo mode): receives the bridge's pushes, lists them at /."""
        return ("province", f"{sys.executable} -m fbjd_infra.simulators.province --port {self.province_port}")


@contextmanager
def database_url_or_embedded() -> Iterator[str]:
    """DATABASE_URL when set; otherwise the embedded server under .data/postgres, stopped on exit."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    server = EmbeddedPostgres(DATA_DIR / "postgres", port=int(os.environ.get("FBJD_PG_PORT", "54329")))
    with server as embedded_url:
        yield embedded_url


def _secret(path: Path) -> str:
    """A secret kept across restarts of the same checkout (tokens stay valid after `make run` restarts)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


def run_platform(*, with_simulator: bool = True) -> int:
    configure_logging("runner")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    topology = Topology.from_env()
    admin_password = os.environ.get("FBJD_ADMIN_PASSWORD") or f"Fbjd-{secrets.token_urlsafe(9)}"
    with database_url_or_embedded() as database_url:
        migrate_all(database_url)
        env = {
            **os.environ,
            **topology.env(),
            "DATABASE_URL": database_url,
            "FBJD_JWT_SECRET": os.environ.get("FBJD_JWT_SECRET") or _secret(DATA_DIR / "jwt-secret"),
            "FBJD_DEMO": "1",
            "FBJD_ADMIN_PASSWORD": admin_password,
        }
        manager = Manager()
        processes = topology.processes()
        if not os.environ.get("FBJD_PROVINCE_BASE_URL"):  # demo: the simulated province receives the pushes
            env["FBJD_PROVINCE_BASE_URL"] = f"http://127.0.0.1:{topology.province_port}"
            processes.append(topology.province_process())
        for name, command in processes:
            manager.add_process(name, command, env=env)
        if with_simulator:
            gateway = f"http://127.0.0.1:{topology.http_port}"
            manager.add_process(
                "simulator",
                f"{sys.executable} -m fbjd_infra.cli simulate --demo "
                f"--host 127.0.0.1 --port {topology.hj212_port} --from-registry {gateway}",
                env=env,
            )
        _banner(topology, admin_password, database_url)
        threading.Thread(
            target=_announce_when_ready, args=(topology, admin_password if with_simulator else None), daemon=True
        ).start()
        manager.loop()
        return manager.returncode or 0


def _announce_when_ready(topology: Topology, demo_password: str | None, timeout_s: float = 120.0) -> None:
    """Once the gateway and every service behind it answer: put the demo city in place (when the demo runs),
    then say where to open the platform."""
    base = f"http://127.0.0.1:{topology.http_port}"
    paths = ["/api/auth/health"] + [f"/api/{name}/health" for name, _f, _s in topology.SERVICES if name != "web"]
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=base, timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if all(client.get(path).status_code == 200 for path in paths):
                    if demo_password is not None:
                        devices = seed_demo_city(base, demo_password)
                        log.info("demo city seeded; its terminals are simulated", extra={"devices": len(devices)})
                    sys.stdout.write(f"\n  fbjd is ready: open http://127.0.0.1:{topology.http_port}/\n\n")
                    sys.stdout.flush()
                    return
            except httpx.HTTPError:
                pass
            except DemoError as exc:
                log.error("the demo city could not be put in place", extra={"error": str(exc)})
                return
            time.sleep(0.5)
    log.error("the platform did not become ready", extra={"timeout_s": timeout_s})


def _banner(topology: Topology, admin_password: str, database_url: str) -> None:
    host = "127.0.0.1" if topology.http_host in {"0.0.0.0", "::"} else topology.http_host
    lines = [
        "",
        "  fbjd 分表计电监管平台 is starting",
        f"  open      http://{host}:{topology.http_port}/",
        f"  login     admin / {admin_password}",
        f"  demo      city, county, enterprise / {admin_password} (once the demo city is in place)",
        f"  HJ 212    tcp://{host}:{topology.hj212_port}",
        f"  province  http://127.0.0.1:{topology.province_port}/ (simulated, unless FBJD_PROVINCE_BASE_URL is set)",
        f"  database  {database_url}",
        "  stop      Ctrl-C",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
