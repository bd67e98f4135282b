"""Reading a raw JSON body into a model, with every problem labelled in Chinese (the acceptance forms' labels)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fbjd_registry.errors import InvalidInput, Problem
from fbjd_registry.validation import problems_from_errors

__all__ = ["parsed"]

M = TypeVar("M", bound=BaseModel)


def _label(field: str, labels: dict[str, str], fallback: str) -> str:
    parts = [part for part in field.split(".") if not part.isdigit()]
    return labels.get(parts[-1], fallback) if parts else fallback


def parsed(model: type[M], raw: dict[str, Any], labels: dict[str, str]) -> M:
    """`model` from `raw`, or InvalidInput listing every bad field with its Chinese label."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from_errors(exc.errors(), strip_prefix=())
        raise InvalidInput(
            [Problem(field=p.field, label=_label(p.field, labels, p.label), message=p.message) for p in problems]
        ) from exc
