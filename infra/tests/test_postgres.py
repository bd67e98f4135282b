"""The embedded PostgreSQL server that `make run` and the tests start when no DATABASE_URL is given."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import asyncpg
from fbjd_infra.postgres import EmbeddedPostgres


async def test_the_embedded_server_moves_to_a_free_port_when_its_preferred_one_is_taken() -> None:
    parent = Path(tempfile.mkdtemp(prefix="fbjd-test-pg-"))
    parent.chmod(0o755)  # as root the server runs as another user, which must reach its data directory
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server = EmbeddedPostgres(parent / "data", port=busy, database="fbjd_port_test")
        try:
            url = server.start()
            assert server.port != busy and f":{server.port}/" in url
            conn = await asyncpg.connect(url)
            assert await conn.fetchval("SELECT current_database()") == "fbjd_port_test"
            await conn.close()
        finally:
            server.stop()
            shutil.rmtree(parent, ignore_errors=True)
