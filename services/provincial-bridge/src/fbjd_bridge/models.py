"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_bridge.county.models import CountyReport
from fbjd_bridge.db import Base
from fbjd_bridge.dispositions.models import Disposition
from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.outbox.models import EndpointState, OutboxRow
from fbjd_bridge.records.models import Record
from fbjd_bridge.registry_push.models import RegistryPushState
from fbjd_bridge.registry_sync.models import RegistryItem, RegistryState
from fbjd_bridge.self_audit.models import StoredSelfAudit

__all__ = [
    "Base",
    "CountyReport",
    "Disposition",
    "EndpointState",
    "ForwardCursor",
    "OutboxRow",
    "Record",
    "RegistryItem",
    "RegistryPushState",
    "RegistryState",
    "StoredSelfAudit",
]
