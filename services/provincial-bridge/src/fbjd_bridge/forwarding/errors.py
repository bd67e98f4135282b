"""The forwarding slice's errors (internal: the forwarder handles them, no HTTP answer carries them).

BridgeError
└── ForwardingError                 502
    ├── UpstreamUnavailable         502  the upstream refused or dropped the connection, did not answer within the
    │                                    connect or acknowledgement time-out, or stopped reading: the round fails,
    │                                    the forwarder backs off and resends from its cursor
    └── UnforwardableReceipt        502  a receipt cannot be written as HJ 212 (one factor longer than a whole
                                         packet, a value the codec refuses): logged, counted, passed over
"""

from __future__ import annotations

from fbjd_bridge.errors import BridgeError

__all__ = ["ForwardingError", "UnforwardableReceipt", "UpstreamUnavailable"]


class ForwardingError(BridgeError):
    code, status = "forwarding_error", 502


class UpstreamUnavailable(ForwardingError):
    code = "upstream_unavailable"


class UnforwardableReceipt(ForwardingError):
    code = "unforwardable_receipt"
