"""The documents slice's refusals are the core's upload errors (`fbjd_core.uploads`):

FileTooLarge            413  over the size limit (`FBJD_DOCUMENT_MAX_BYTES`, 20 MB by default)
UnsupportedFileType     415  not a PDF, JPEG, PNG, xlsx or docx, judged by the content (or empty)
"""

from __future__ import annotations

from fbjd_core.uploads import FileTooLarge, UnsupportedFileType

__all__ = ["FileTooLarge", "UnsupportedFileType"]
