"""A stored file as listed on a declaration or an inspection record (the bytes come from the download URL)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

__all__ = ["FileOut"]


class FileOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    download_path: str
