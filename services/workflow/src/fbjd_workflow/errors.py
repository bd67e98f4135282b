"""The workflow's error tree. Domain code raises these, never HTTPException; fbjd_core maps `status`.

WorkflowError(FbjdError)                   400  anything the workflow refuses
├── InvalidInput                           422  a field is wrong (a reason code, a window that ends before it starts)
├── WorkflowNotFound(NotFound)             404  no such alarm / declaration / task / file, or not in the caller's scope
├── ActionForbidden(Forbidden)             403  the caller's role may not do this, or the task is another client's
├── InvalidTransition(Conflict)            409  the state machine refuses the step (stage, action, who)
│   └── SelfCheckWindowClosed              409  the enterprise's 30-minute window has passed
├── StaleRevision(Conflict)                409  the alarm changed since the caller read it (optimistic check)
├── (fbjd_core.uploads) FileTooLarge       413  an evidence file or photo over the size limit
├── (fbjd_core.uploads) UnsupportedFileType 415  not a PDF, JPEG, PNG, xlsx or docx (judged by content)
├── (fbjd_core.errors) StorageFull         507  no space left to keep an upload (nothing of it was kept)
├── SignatureRejected                      401  a webhook signature that does not verify, or a replayed timestamp
├── AlreadyDecided(Conflict)               409  a declaration the city has already approved or refused
└── DeliveryFailed                         502  a receiver did not acknowledge (internal: the outbox retries)

Messages are Chinese where a person reads them (the enterprise's and the city's pages show them as is).
"""

from __future__ import annotations

from fbjd_core.errors import Conflict, FbjdError, Forbidden, NotFound, StorageFull
from fbjd_core.uploads import FileTooLarge, UnsupportedFileType

__all__ = [
    "ActionForbidden",
    "AlreadyDecided",
    "DeliveryFailed",
    "FileTooLarge",
    "InvalidInput",
    "InvalidTransition",
    "SelfCheckWindowClosed",
    "SignatureRejected",
    "StaleRevision",
    "StorageFull",
    "UnsupportedFileType",
    "WorkflowError",
    "WorkflowNotFound",
]


class WorkflowError(FbjdError):
    code, status = "workflow_error", 400


class InvalidInput(WorkflowError):
    code, status = "invalid_input", 422


class WorkflowNotFound(WorkflowError, NotFound):
    code, status = "not_found", 404


class ActionForbidden(WorkflowError, Forbidden):
    code, status = "forbidden", 403


class InvalidTransition(WorkflowError, Conflict):
    """The state machine refuses: nothing was changed."""

    code, status = "invalid_transition", 409


class SelfCheckWindowClosed(InvalidTransition):
    code = "self_check_window_closed"


class StaleRevision(WorkflowError, Conflict):
    code, status = "stale_revision", 409


class SignatureRejected(WorkflowError):
    code, status = "signature_rejected", 401


class AlreadyDecided(WorkflowError, Conflict):
    code, status = "already_decided", 409


class DeliveryFailed(WorkflowError):
    code, status = "delivery_failed", 502
