"""The migrations build exactly the tables the models describe (no drift between the two)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fbjd_core.db import make_engine
from fbjd_infra.migrate import alembic_config, downgrade
from fbjd_registry.models import Base
from sqlalchemy import Connection, inspect


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": lambda name, type_, _parent: name == "registry" if type_ == "schema" else True,
            "version_table_schema": "registry",
        },
    )
    return [
        d
        for d in compare_metadata(context, Base.metadata)
        if not (d[0] == "remove_table" and d[1].name == "alembic_version")
    ]


async def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


# Tables of the revisions after registry_0004 (a downgrade to registry_0003 drops them too).
LATER_TABLES = {
    "blobs",
    "documents",
    "acceptance_applications",
    "acceptance_platform_audits",
    "acceptance_site_audits",
    "dossier_sections",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names(schema="registry"))


async def test_registry_0004_downgrades_and_upgrades_again(database_url: str) -> None:
    """registry_0004's downgrade drops the vendors' tables and nothing else; its upgrade brings them back."""
    vendor_tables = {"vendors", "vendor_assignments", "vendor_blacklist"}
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            before = await connection.run_sync(_tables)
        assert vendor_tables <= before
        await asyncio.to_thread(downgrade, "fbjd_registry", database_url, "registry_0003")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == before - vendor_tables - LATER_TABLES
        await asyncio.to_thread(command.upgrade, alembic_config("fbjd_registry", database_url), "head")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == before
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()
