"""Queries of blobs and documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.documents.models import Blob, Document

__all__ = ["add", "content_of", "get", "list_for", "put_blob", "remove"]


async def put_blob(
    session: AsyncSession, *, sha256: str, size: int, content_type: str, content: bytes, at: datetime
) -> None:
    """Keep the content once per SHA-256 (a second upload of the same bytes writes nothing)."""
    values = {"sha256": sha256, "size": size, "content_type": content_type, "content": content, "stored_at": at}
    await session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=[Blob.sha256]))


async def add(session: AsyncSession, document: Document) -> None:
    session.add(document)
    await session.flush()


async def get(session: AsyncSession, document_id: uuid.UUID) -> Document | None:
    return await session.get(Document, document_id)


async def content_of(session: AsyncSession, sha256: str) -> bytes | None:
    content: bytes | None = await session.scalar(select(Blob.content).where(Blob.sha256 == sha256))
    return content


async def list_for(
    session: AsyncSession, *, ps_id: str, area: str, sections: Sequence[str] | None = None
) -> Sequence[Document]:
    query = select(Document).where(Document.ps_id == ps_id, Document.area == area)
    if sections is not None:
        query = query.where(Document.section.in_(sections))
    query = query.order_by(Document.section, Document.kind, Document.uploaded_at, Document.id)
    return (await session.scalars(query)).all()


async def remove(session: AsyncSession, document: Document) -> None:
    await session.delete(document)
    await session.flush()
