"""The error tree of the rules service (httpx style: one base, each leaf says what went wrong).

RulesError(FbjdError)                       400 rules_error
├── InvalidInput                            422 invalid_input      a request or file the service cannot use
├── RecordNotFound                          404 not_found          no such abnormal record / proposal (or out of scope)
├── InvalidState                            409 invalid_state      e.g. accepting a proposal already decided
├── InsufficientData                        422 insufficient_data  threshold learning without 14 days of data
└── UpstreamError                           502 upstream_error     registry or workflow answered badly / not at all
    └── EnterpriseUnknown                   404 enterprise_unknown the registry does not know the psId

Domain code raises these; `fbjd_core.errors.install_error_handlers` turns them into JSON.
"""

from __future__ import annotations

from fbjd_core.errors import FbjdError

__all__ = [
    "EnterpriseUnknown",
    "InsufficientData",
    "InvalidInput",
    "InvalidState",
    "RecordNotFound",
    "RulesError",
    "UpstreamError",
]


class RulesError(FbjdError):
    code, status = "rules_error", 400


class InvalidInput(RulesError):
    code, status = "invalid_input", 422


class RecordNotFound(RulesError):
    code, status = "not_found", 404


class InvalidState(RulesError):
    code, status = "invalid_state", 409


class InsufficientData(RulesError):
    code, status = "insufficient_data", 422


class UpstreamError(RulesError):
    code, status = "upstream_error", 502


class EnterpriseUnknown(UpstreamError):
    code, status = "enterprise_unknown", 404
