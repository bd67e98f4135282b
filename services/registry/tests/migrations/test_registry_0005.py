"""registry_0005 (acceptance process, dossier, documents) downgrades cleanly and upgrades again."""

from __future__ import annotations

import asyncio

from alembic import command
from fbjd_core.db import make_engine
from fbjd_infra.migrate import alembic_config, downgrade
from sqlalchemy import Connection, inspect

ACCEPTANCE_TABLES = {
    "blobs",
    "documents",
    "acceptance_applications",
    "acceptance_platform_audits",
    "acceptance_site_audits",
    "dossier_sections",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names(schema="registry"))


async def test_registry_0005_downgrades_to_0004_and_upgrades_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            before = await connection.run_sync(_tables)
        assert ACCEPTANCE_TABLES <= before
        await asyncio.to_thread(downgrade, "fbjd_registry", database_url, "registry_0004")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == before - ACCEPTANCE_TABLES
        await asyncio.to_thread(command.upgrade, alembic_config("fbjd_registry", database_url), "head")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == before
    finally:
        await engine.dispose()
