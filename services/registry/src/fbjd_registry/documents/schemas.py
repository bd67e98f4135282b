"""Stored documents out."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

__all__ = ["DocumentOut"]


class DocumentOut(BaseModel):
    id: uuid.UUID
    ps_id: str
    area: str  # acceptance | dossier
    section: str  # application | site_audit | survey | point_design | installation | alarm_plans
    kind: str
    kind_label: str  # the Chinese term, e.g. 排污许可证副本
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    download_path: str  # /api/registry/documents/{id}
