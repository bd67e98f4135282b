"""Runs every member's Alembic migrations, in a fixed order, against one database.

Each member keeps its migrations beside its models (`<package>/migrations`, its own schema,
its own `<schema>.alembic_version`); this module only runs them.
"""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from fbjd_core.settings import async_dsn

__all__ = ["MIGRATION_ORDER", "alembic_config", "downgrade", "migrate_all"]

log = logging.getLogger(__name__)

# (package, schema): owners of data others read through views come first.
MIGRATION_ORDER: tuple[tuple[str, str], ...] = (
    ("fbjd_registry", "registry"),
    ("fbjd_ingest", "ingest"),
    ("fbjd_rules", "rules"),
    ("fbjd_workflow", "workflow"),
    ("fbjd_bridge", "bridge"),
    ("fbjd_gateway", "gateway"),
)


def alembic_config(package: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", async_dsn(database_url).replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def migrate_all(database_url: str, *, packages: tuple[str, ...] | None = None) -> None:
    """`alembic upgrade head` for every member. Synchronous: call it with asyncio.to_thread from async code."""
    for package, schema in MIGRATION_ORDER:
        if packages is not None and package not in packages:
            continue
        log.info("migrating", extra={"schema": schema})
        command.upgrade(alembic_config(package, database_url), "head")


def downgrade(package: str, database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(package, database_url), revision)
