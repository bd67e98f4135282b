"""Uploaded documents: the core's checks (`fbjd_core.uploads`: type by content, size limit, safe names, download
headers), and the registry's own answer when a form carries no file."""

from __future__ import annotations

from fastapi import UploadFile
from fbjd_core.uploads import (
    ACCEPTED_TEXT,
    ACCEPTED_TYPES,
    CheckedFile,
    check,
    download_headers,
    read_upload,
    sanitise_filename,
    sniff,
)

from fbjd_registry.errors import InvalidInput, Problem

__all__ = [
    "ACCEPTED_TEXT",
    "ACCEPTED_TYPES",
    "CheckedFile",
    "check",
    "download_headers",
    "read_upload",
    "required_upload",
    "sanitise_filename",
    "sniff",
]


def required_upload(upload: UploadFile | None) -> UploadFile:
    """The multipart part `file`, or a clear 422 when the form carries none."""
    if upload is None:
        raise InvalidInput([Problem(field="file", label="文件", message="请选择要上传的文件（表单字段 file）")])
    return upload
