"""An embedded PostgreSQL server for `fbjd run` and the tests when DATABASE_URL is unset.

Server binaries come from, in order: $FBJD_PG_BIN, the system's PostgreSQL (Debian/Ubuntu
`/usr/lib/postgresql/<v>/bin`, or `pg_ctl` on PATH), then the `pgserver` wheel's bundled binaries,
so a fresh machine needs neither apt nor root.

PostgreSQL refuses to run as root. When we are root, the server runs as the `postgres` user
(or `nobody`), and its data directory must be reachable by that user: when the project sits
under a directory others cannot enter (root's home), the data lives under /var/tmp and
`.data/postgres` is a symlink to it.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

__all__ = ["EmbeddedPostgres", "PostgresError", "find_bin_dir"]

log = logging.getLogger(__name__)


class PostgresError(RuntimeError):
    """The embedded server could not be found, initialised or started."""


def find_bin_dir() -> Path:
    candidates: list[str] = []
    if env := os.environ.get("FBJD_PG_BIN"):
        candidates.append(env)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    candidates += versions
    if on_path := shutil.which("pg_ctl"):
        candidates.append(str(Path(on_path).parent))
    spec = importlib.util.find_spec("pgserver")  # located, not imported: importing it has side effects
    if spec is not None and spec.submodule_search_locations:
        candidates.append(str(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    raise PostgresError(
        "no PostgreSQL server binaries found: set FBJD_PG_BIN, install postgresql, or `pip install pgserver`"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _server_user() -> pwd.struct_passwd | None:
    """The user the server runs as: None for ourselves, `postgres` or `nobody` when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("running as root and neither a `postgres` nor a `nobody` user exists")


def _reachable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [*reversed(path.parents)])


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, on 127.0.0.1, trust auth, superuser `postgres`."""

    data_dir: Path
    port: int | None = None
    database: str = "fbjd"
    _started_here: bool = field(default=False, init=False)
    _pgdata: Path | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> str:
        """Initialise (once), start (unless already running) and create the database; return its URL."""
        bin_dir = find_bin_dir()
        user = _server_user()
        pgdata = self._pgdata = self._prepare_dir(user)
        if not (pgdata / "PG_VERSION").exists():
            self._run(
                user,
                bin_dir / "initdb",
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        running_port = self._running_port(pgdata)
        if running_port is not None:
            self.port = running_port
        else:
            if self.port is None or not _port_free(self.port):
                self.port = free_port()  # the preferred port is taken (another cluster): any free one will do
            self._run(
                user,
                bin_dir / "pg_ctl",
                "-D",
                str(pgdata),
                "-l",
                str(pgdata / "server.log"),
                "-o",
                self._options(pgdata),
                "-w",
                "-t",
                "60",
                "start",
            )
            self._started_here = True
        _run_coroutine(self._create_database())
        log.info("embedded postgres ready", extra={"data_dir": str(pgdata), "port": self.port})
        return self.url

    def _options(self, pgdata: Path) -> str:
        """Server settings: local only, room for every service's pool, and no transaction left idle for long (the
        bridge forwards receipts in commit order; an abandoned open transaction would hold it back)."""
        settings = {
            "listen_addresses": "127.0.0.1",
            "max_connections": "300",
            "idle_in_transaction_session_timeout": "10min",
        }
        return f"-p {self.port} -k {pgdata} " + " ".join(f"-c {name}={value}" for name, value in settings.items())

    def stop(self) -> None:
        if not self._started_here or self._pgdata is None:
            return
        user = _server_user()
        self._run(user, find_bin_dir() / "pg_ctl", "-D", str(self._pgdata), "-m", "fast", "-w", "stop")
        self._started_here = False

    def restart(self, *, mode: str = "fast", down_s: float = 0.0) -> None:
        """Stop the server this object started (`pg_ctl stop -m fast|immediate`), stay down `down_s` seconds, and
        start it again on the same port: clients lose their connections and find the server where it was (fault
        tests). Not through `start()`: the connections just cut leave the port in TIME_WAIT, which `start()`'s
        free-port check takes for another cluster, and it would move to another port."""
        if mode not in ("fast", "immediate"):
            raise ValueError(f"mode must be fast or immediate, got {mode!r}")
        if not self._started_here or self._pgdata is None or self.port is None:
            raise PostgresError("restart() needs a server started by this object")
        user, pg_ctl, pgdata = _server_user(), find_bin_dir() / "pg_ctl", self._pgdata
        self._run(user, pg_ctl, "-D", str(pgdata), "-m", mode, "-w", "stop")
        log.info("embedded postgres stopped", extra={"mode": mode, "down_s": down_s, "port": self.port})
        time.sleep(down_s)
        log_file = str(pgdata / "server.log")
        self._run(
            user, pg_ctl, "-D", str(pgdata), "-l", log_file, "-o", self._options(pgdata), "-w", "-t", "60", "start"
        )
        log.info("embedded postgres started again", extra={"port": self.port})

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _prepare_dir(self, user: pwd.struct_passwd | None) -> Path:
        data_dir = self.data_dir.absolute()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        if user is not None and not data_dir.exists() and not _reachable_by_others(data_dir.parent):
            digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
            real = Path("/var/tmp") / f"fbjd-pg-{digest}"
            real.mkdir(mode=0o700, exist_ok=True)
            data_dir.symlink_to(real, target_is_directory=True)
        data_dir.mkdir(mode=0o700, exist_ok=True)
        pgdata = data_dir.resolve()
        if user is not None:
            os.chown(pgdata, user.pw_uid, user.pw_gid)
        os.chmod(pgdata, 0o700)
        return pgdata

    @staticmethod
    def _running_port(pgdata: Path) -> int | None:
        """The port of a server already running on this data directory, if any."""
        pid_file = pgdata / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            os.kill(int(lines[0]), 0)
        except (ProcessLookupError, ValueError, IndexError):
            return None
        except PermissionError:
            pass
        return int(lines[3])

    @staticmethod
    def _run(user: pwd.struct_passwd | None, *args: str | Path) -> None:
        argv = [str(a) for a in args]
        kwargs: dict[str, object] = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"}
        result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
        if result.returncode != 0:
            raise PostgresError(f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr.strip()}")

    async def _create_database(self) -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres", database="postgres")
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", self.database)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            await conn.close()


def _run_coroutine(coro: object) -> None:
    """Run a coroutine to completion from sync code, even when an event loop is already running here."""
    error: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
