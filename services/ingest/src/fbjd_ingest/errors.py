"""The ingest service's errors. Domain code raises these; `fbjd_core.errors` turns them into JSON.

The tree::

    IngestError (400)                 anything the ingest service refuses
    ├── DeviceNotFound (404)          no such MN, or not visible to the caller (an enterprise sees only its own)
    ├── PointNotFound (404)           no device carries this point id, or it is not the caller's to see
    ├── DeviceExists (409)            registering an MN that is already registered
    ├── InvalidDevice (422)           a device field that cannot be used (profile, factor map, interval)
    ├── DeviceNotConnected (409)      a command for a terminal that has no open connection to this process
    ├── InvalidCommand (422)          a command whose parameters the standard does not allow
    └── StoreUnavailable (503)        the database could not take the write (try again)
"""

from __future__ import annotations

from fbjd_core.errors import FbjdError

__all__ = [
    "DeviceExists",
    "DeviceNotConnected",
    "DeviceNotFound",
    "IngestError",
    "InvalidCommand",
    "InvalidDevice",
    "PointNotFound",
    "StoreUnavailable",
]


class IngestError(FbjdError):
    code, status = "ingest_error", 400


class DeviceNotFound(IngestError):
    code, status = "device_not_found", 404


class PointNotFound(IngestError):
    code, status = "point_not_found", 404


class DeviceExists(IngestError):
    code, status = "device_exists", 409


class InvalidDevice(IngestError):
    code, status = "invalid_device", 422


class DeviceNotConnected(IngestError):
    code, status = "device_not_connected", 409


class InvalidCommand(IngestError):
    code, status = "invalid_command", 422


class StoreUnavailable(IngestError):
    code, status = "store_unavailable", 503
