"""The bridge's error tree. Domain code raises these, never HTTPException; fbjd_core maps `status`.

BridgeError(FbjdError)                     400  anything the bridge refuses
├── PayloadError                           422  a record cannot be written in the province's format (a missing
│                                               threshold, a treatment record without a treatment point)
├── BridgeNotFound(NotFound)               404  no such dead letter
├── ProvinceError                          502  talking to the province went wrong (internal: the sender retries)
│   ├── ProvinceUnavailable                502  no answer, a time-out, HTTP 5xx, a reply that is not the
│   │                                           interface's JSON, or `success: false` that names no field
│   └── ProvinceRejected                   502  `success: false` naming a field of the interface: the records
│                                               themselves are invalid (retried a few times, then dead-lettered)
├── RegistryUnavailable                    502  the registry did not answer a sync read
└── ForwardingError                        502  data upload (forwarding/errors.py: UpstreamUnavailable,
                                                UnforwardableReceipt; handled by the forwarder, never an answer)

Messages are Chinese where an operator reads them (the dead-letter list, the status page).
"""

from __future__ import annotations

from fbjd_core.errors import FbjdError, NotFound

__all__ = [
    "BridgeError",
    "BridgeNotFound",
    "PayloadError",
    "ProvinceError",
    "ProvinceRejected",
    "ProvinceUnavailable",
    "RegistryUnavailable",
]


class BridgeError(FbjdError):
    code, status = "bridge_error", 400


class PayloadError(BridgeError):
    code, status = "payload_invalid", 422


class BridgeNotFound(BridgeError, NotFound):
    code, status = "not_found", 404


class ProvinceError(BridgeError):
    code, status = "province_error", 502

    def __init__(self, message: str, *, reply: str | None = None) -> None:
        super().__init__(message)
        self.reply = reply  # the province's raw answer (trimmed), kept with a dead letter


class ProvinceUnavailable(ProvinceError):
    code = "province_unavailable"


class ProvinceRejected(ProvinceError):
    code = "province_rejected"


class RegistryUnavailable(BridgeError):
    code, status = "registry_unavailable", 502
