"""The registry's error tree. Domain code raises these, never HTTPException.

RegistryError(FbjdError)            400  anything the registry refuses
├── InvalidInput                    422  one or more fields are wrong: `problems` lists each
├── RegistryNotFound(NotFound)      404  no such entity, or not in the caller's scope (the same answer)
├── RegistryConflict(Conflict)      409  a business key is taken, or the entity has dependants
├── WriteForbidden(Forbidden)       403  the caller's role may not change this
└── LifecycleError                  409  a lifecycle step out of order
"""

from __future__ import annotations

from dataclasses import dataclass

from fbjd_core.errors import Conflict, FbjdError, Forbidden, NotFound

__all__ = [
    "InvalidInput",
    "LifecycleError",
    "Problem",
    "RegistryConflict",
    "RegistryError",
    "RegistryNotFound",
    "WriteForbidden",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where (field path or sheet/row) and what, in Chinese."""

    field: str
    message: str
    label: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "message": self.message}


class RegistryError(FbjdError):
    code, status = "registry_error", 400


class InvalidInput(RegistryError):
    code, status = "validation_failed", 422

    def __init__(self, problems: list[Problem], *, message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or f"提交的数据有 {len(problems)} 处错误")

    def __repr__(self) -> str:
        return f"InvalidInput(problems={self.problems!r})"


class RegistryNotFound(RegistryError, NotFound):
    code, status = "not_found", 404


class RegistryConflict(RegistryError, Conflict):
    code, status = "conflict", 409


class WriteForbidden(RegistryError, Forbidden):
    code, status = "forbidden", 403


class LifecycleError(RegistryError):
    code, status = "lifecycle_out_of_order", 409
