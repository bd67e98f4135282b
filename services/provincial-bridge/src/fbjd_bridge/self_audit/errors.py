"""The self-audit's own error: a source it cannot do without (the registry's enterprise list) did not answer.

BridgeError
└── SelfAuditUnavailable   502  the registry did not list the enterprises (per-enterprise failures are not
                                errors: that check of that enterprise is reported `not_checkable`)
"""

from __future__ import annotations

from fbjd_bridge.errors import BridgeError

__all__ = ["SelfAuditUnavailable"]


class SelfAuditUnavailable(BridgeError):
    code, status = "self_audit_unavailable", 502
