"""The body of every service's Alembic env.py: one schema, its own version table, async engine.

Each service's `migrations/env.py` is two lines: import its metadata, call `run_env(metadata)`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from fbjd_core.settings import async_dsn

__all__ = ["run_env"]


def _configure_and_run(connection: Connection, metadata: MetaData, schema: str) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        return name == schema if type_ == "schema" else True

    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(metadata: MetaData, schema: str) -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set: run migrations through `fbjd migrate`")
    engine = create_async_engine(async_dsn(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run, metadata, schema)
        await connection.commit()
    await engine.dispose()


def run_env(metadata: MetaData) -> None:
    schema = metadata.schema
    if schema is None:
        raise RuntimeError("the service's MetaData must name its schema")
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection, metadata, schema)
    else:
        asyncio.run(_run_online(metadata, schema))
