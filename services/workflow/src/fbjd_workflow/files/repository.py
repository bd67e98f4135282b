"""Queries of stored files."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from fbjd_workflow.files.models import StoredFile

__all__ = ["add", "get_with_content", "of_owners"]


async def add(session: AsyncSession, *files: StoredFile) -> None:
    session.add_all(files)
    await session.flush()


async def get_with_content(session: AsyncSession, file_id: uuid.UUID) -> StoredFile | None:
    query = select(StoredFile).where(StoredFile.id == file_id).options(undefer(StoredFile.content))
    return await session.scalar(query)


async def of_owners(session: AsyncSession, owner_ids: Sequence[uuid.UUID]) -> Sequence[StoredFile]:
    """Metadata only (the content stays deferred)."""
    if not owner_ids:
        return []
    query = select(StoredFile).where(StoredFile.owner_id.in_(owner_ids)).order_by(StoredFile.uploaded_at, StoredFile.id)
    return (await session.scalars(query)).all()
