"""What a lost or broken database connection raises through asyncpg, in one place for every background loop.

`asyncpg.InternalClientError` belongs here although it is no InterfaceError: a pooled connection left
mid-protocol by a server shutdown raises it ("cannot switch to state 15; another operation (2) is in progress",
seen after `pg_ctl stop -m fast`). A loop that let it through ended silently and ingest stored nothing more.
"""

from __future__ import annotations

import asyncpg

__all__ = ["CONNECTION_ERRORS"]

CONNECTION_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError)
