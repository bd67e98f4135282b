"""Accepting, keeping and serving files safely.

- Type by content, size limit (413/415) and safe names: the core's upload checks (`fbjd_core.uploads`);
  served back only as an attachment of the checked type, with nosniff and a sandboxing CSP.
- A full disk (the database's, or the disk an upload is spooled to) → 507 (`fbjd_core.errors`); the
  transaction rolls back, so no half-written file or declaration remains.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from fbjd_core.errors import storage_error
from fbjd_core.uploads import ACCEPTED_TYPES, CheckedFile, check, read_upload, sanitise_filename, sniff
from fbjd_core.uploads import download_headers as attachment_headers
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.files import repository
from fbjd_workflow.files.models import StoredFile
from fbjd_workflow.files.schemas import FileOut

__all__ = [
    "ACCEPTED_TYPES",
    "CheckedFile",
    "check",
    "download_headers",
    "file_out",
    "read_upload",
    "sanitise_filename",
    "sniff",
    "store",
]


async def store(
    session: AsyncSession,
    files: Sequence[CheckedFile],
    *,
    owner_kind: str,
    owner_id: uuid.UUID,
    ps_id: str,
    county: str,
    by: str,
    at: datetime,
) -> list[StoredFile]:
    rows = [
        StoredFile(
            owner_kind=owner_kind,
            owner_id=owner_id,
            ps_id=ps_id,
            county=county,
            filename=f.filename,
            content_type=f.content_type,
            size=len(f.content),
            sha256=f.sha256,
            content=f.content,
            uploaded_by=by,
            uploaded_at=at,
        )
        for f in files
    ]
    try:
        await repository.add(session, *rows)
    except DBAPIError as exc:
        full = storage_error(exc)
        if full is None:
            raise
        raise full from exc
    return rows


def file_out(row: StoredFile, *, path_prefix: str = "/api/workflow/files") -> FileOut:
    return FileOut(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        download_path=f"{path_prefix}/{row.id}",
    )


def download_headers(row: StoredFile) -> dict[str, str]:
    """Always a download, never rendered (fbjd_core.uploads)."""
    return attachment_headers(filename=row.filename, content_type=row.content_type)
