"""Every service's migrations: upgrade head on an empty database, downgrade of the latest revision, upgrade again."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from fbjd_infra.migrate import MIGRATION_ORDER, downgrade, migrate_all


async def _schemas_and_versions(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        found: dict[str, str] = {}
        for _package, schema in MIGRATION_ORDER:
            version = await conn.fetchval(f'SELECT version_num FROM "{schema}".alembic_version')
            found[schema] = version
        return found
    finally:
        await conn.close()


def test_upgrade_head_on_an_empty_database_gives_every_schema_its_own_version_table(database_url: str) -> None:
    versions = asyncio.run(_schemas_and_versions(database_url))
    assert set(versions) == {schema for _package, schema in MIGRATION_ORDER}
    assert all(versions.values())


@pytest.mark.parametrize("package", [package for package, _schema in MIGRATION_ORDER])
def test_latest_revision_downgrades_and_upgrades_again(database_url: str, package: str) -> None:
    schema = dict(MIGRATION_ORDER)[package]
    head = asyncio.run(_schemas_and_versions(database_url))[schema]
    downgrade(package, database_url)
    after = asyncio.run(_schemas_and_versions(database_url)).get(schema) if head.endswith("_0001") is False else None
    if after is not None:
        assert after != head
    migrate_all(database_url, packages=(package,))
    assert asyncio.run(_schemas_and_versions(database_url))[schema] == head
