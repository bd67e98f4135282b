"""The migrations build exactly the tables the models describe (no drift between the two)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fbjd_core.db import make_engine
from fbjd_workflow.models import Base
from sqlalchemy import Connection


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": lambda name, type_, _parent: name == "workflow" if type_ == "schema" else True,
            "version_table_schema": "workflow",
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
