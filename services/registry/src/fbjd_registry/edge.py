"""The transaction edge of every request: re-audit the enterprises changed, then commit.

The shared `fbjd_core.db.SessionDep` commits after the response has been sent (FastAPI's default "request"
scope for dependencies with yield), so a client could read before the commit and a failed commit would go
unseen. This dependency runs with scope "function": the audit and the commit happen before the response, and
a commit that fails (a unique key taken by a concurrent request) answers 409.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_registry.audit.service import refresh_changed
from fbjd_registry.errors import RegistryConflict

__all__ = ["SessionDep", "finish", "session_dependency"]


async def finish(session: AsyncSession) -> None:
    """What every writer does before commit: re-run the audit of each enterprise it changed."""
    await refresh_changed(session)


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await finish(session)
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise RegistryConflict(f"数据冲突，未保存：{exc.orig}") from exc
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
