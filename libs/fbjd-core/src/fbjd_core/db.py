"""Engine, sessions and the declarative base of one schema. No models, no queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from fbjd_core.errors import Conflict
from fbjd_core.settings import async_dsn

__all__ = [
    "NAMING_CONVENTION",
    "SessionDep",
    "make_engine",
    "make_sessionmaker",
    "schema_metadata",
    "session_dependency",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> AsyncEngine:
    return create_async_engine(async_dsn(url), pool_size=pool_size, pool_pre_ping=True, echo=echo)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def schema_metadata(schema: str) -> MetaData:
    """The MetaData of one service: every table in `schema`, constraints named by convention.

    Each service declares `class Base(DeclarativeBase): metadata = schema_metadata("<schema>")`.
    """
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


BeforeCommit = Callable[[AsyncSession], Awaitable[None]]


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; commit at the edge when the handler returns, roll back on error.

    A service that must do something with every transaction just before it commits (the registry re-runs its
    audit of the enterprises changed) sets `app.state.before_commit`. A unique key taken by a concurrent request
    surfaces at commit as IntegrityError: answered 409.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    before_commit: BeforeCommit | None = getattr(request.app.state, "before_commit", None)
    async with sessionmaker() as session:
        try:
            yield session
            if before_commit is not None:
                await before_commit(session)
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise Conflict(f"数据冲突，未保存 (conflicting change, nothing saved): {exc.orig}") from exc
        except BaseException:
            await session.rollback()
            raise


# scope="function": the commit happens before the response is sent (FastAPI's default "request" scope
# would commit after it, so a client could read before the data is saved and a failed commit go unseen).
SessionDep = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
