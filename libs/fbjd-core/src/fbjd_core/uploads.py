"""Uploaded files, judged by their content and named safely: the checks every service that accepts files applies
(GB/T 22239 level 2: uploads checked, never served back as active content). Pure functions, no storage.

- Type from the content, never from the name or the client's Content-Type: PDF, JPEG or PNG by their magic
  bytes, Excel (xlsx) and Word (docx) by their ZIP container and its parts (macro-enabled ones, with a
  vbaProject, are refused); no SVG, no HTML, nothing a browser would run → 415.
- Size read in chunks and stopped one chunk past the limit, so an oversized upload is refused (413) without
  being held whole.
- Names reduced to a safe base name (no path, no control or reserved characters) with the extension of the
  detected type; served back only as an attachment of the checked type, with nosniff and a sandboxing CSP.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import UploadFile

from fbjd_core.errors import FbjdError

__all__ = [
    "ACCEPTED_TEXT",
    "DOCX",
    "ACCEPTED_TYPES",
    "CheckedFile",
    "FileTooLarge",
    "UnsupportedFileType",
    "XLSX",
    "check",
    "download_headers",
    "read_upload",
    "sanitise_filename",
    "sniff",
]


class FileTooLarge(FbjdError):
    code, status = "file_too_large", 413


class UnsupportedFileType(FbjdError):
    code, status = "unsupported_file_type", 415


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    XLSX: ".xlsx",
    DOCX: ".docx",
}
_OFFICE_PARTS = (("xl/workbook.xml", XLSX), ("word/document.xml", DOCX))
ACCEPTED_TEXT = "PDF、JPEG、PNG、Excel（.xlsx）或 Word（.docx）"
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


def _too_large(name: str, max_bytes: int) -> str:
    return f"文件「{name}」超过大小上限 {_megabytes(max_bytes)}，请压缩或拆分后重新上传；未保存任何内容"


def _office_type(content: bytes) -> str | None:
    """xlsx or docx: a ZIP whose directory names the OOXML parts; only the directory is read (no inflating)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
        return None  # not OOXML, or macro-enabled (active content)
    return next((kind for part, kind in _OFFICE_PARTS if part in names), None)


def sniff(content: bytes) -> str | None:
    """The MIME type the content is, among the accepted ones; None for anything else."""
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
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
        raise FileTooLarge(_too_large(shown, max_bytes))
    if not content:
        raise UnsupportedFileType(f"文件「{shown}」是空文件，未保存任何内容")
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedFileType(f"文件「{shown}」不是 {ACCEPTED_TEXT}文件（按文件内容判断），未保存任何内容")
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
            raise FileTooLarge(_too_large(upload.filename or "(未命名)", max_bytes))
        chunks.append(chunk)
    return check(upload.filename, b"".join(chunks), max_bytes=max_bytes)


def download_headers(*, filename: str, content_type: str) -> dict[str, str]:
    """Always a download, never rendered: attachment, nosniff, and a CSP that sandboxes anything opened."""
    extension = ACCEPTED_TYPES[content_type]
    ascii_stem = filename.removesuffix(extension).encode("ascii", "ignore").decode().strip(" ._")
    ascii_name = (ascii_stem or "attachment") + extension
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
