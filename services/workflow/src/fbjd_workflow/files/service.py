"""Accepting, keeping and serving files safely.

- Type from the content, never from the name or the client's Content-Type: PDF, JPEG or PNG by their magic
  bytes (no SVG, no HTML: nothing a browser would run); anything else → 415.
- Size read in chunks and stopped one byte past the limit, so an oversized upload is refused (413) without
  being held whole.
- Names reduced to a safe base name (no path, no control or reserved characters) with the extension of the
  detected type; served back only as an attachment, with nosniff and a sandboxing CSP.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.errors import FileTooLarge, UnsupportedFileType
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

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
ACCEPTED_TYPES: dict[str, str] = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;%\']')
_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


def sanitise_filename(name: str | None, content_type: str) -> str:
    """A name safe on any disk and in any header: base name only, no reserved characters, right extension."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:80].strip(" ._") or "附件"
    return stem + ACCEPTED_TYPES[content_type]


def check(name: str | None, content: bytes, *, max_bytes: int) -> CheckedFile:
    """The file as it will be kept, or FileTooLarge (413) / UnsupportedFileType (415)."""
    shown = name or "(未命名)"
    if len(content) > max_bytes:
        raise FileTooLarge(f"文件「{shown}」超过大小上限 {_megabytes(max_bytes)}，未保存任何内容")
    if not content:
        raise UnsupportedFileType(f"文件「{shown}」是空文件，未保存任何内容")
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedFileType(f"文件「{shown}」不是 PDF、JPEG 或 PNG 文件（按文件内容判断），未保存任何内容")
    return CheckedFile(
        filename=sanitise_filename(name, content_type),
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


async def read_upload(upload: UploadFile, *, max_bytes: int) -> CheckedFile:
    """Read a multipart file part, refusing it as soon as it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(f"文件「{upload.filename}」超过大小上限 {_megabytes(max_bytes)}，未保存任何内容")
        chunks.append(chunk)
    return check(upload.filename, b"".join(chunks), max_bytes=max_bytes)


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
    await repository.add(session, *rows)
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
    """Always a download, never rendered: attachment, nosniff, and a CSP that sandboxes anything opened."""
    extension = ACCEPTED_TYPES[row.content_type]
    ascii_stem = row.filename.removesuffix(extension).encode("ascii", "ignore").decode().strip(" ._")
    ascii_name = (ascii_stem or "attachment") + extension
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
