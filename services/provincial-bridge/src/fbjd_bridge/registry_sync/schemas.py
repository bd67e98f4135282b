"""The registry sync as the province pulls it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["DeletedItem", "RegistryPullOut"]


class DeletedItem(BaseModel):
    kind: str
    id: str
    psId: str  # noqa: N815 - the province's field name


class RegistryPullOut(BaseModel):
    cursor: str = Field(description="pass it back as ?cursor= to get only what changed after this pull")
    full: bool  # True: everything (no cursor given); False: only the changes since the cursor
    enterprises: list[dict[str, Any]]
    productorEquips: list[dict[str, Any]]  # noqa: N815
    treatments: list[dict[str, Any]]
    ammeters: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    deleted: list[DeletedItem]
