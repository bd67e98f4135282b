"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_ingest.commands.models import Command
from fbjd_ingest.db import Base
from fbjd_ingest.devices.models import Device
from fbjd_ingest.quarantine.models import QuarantinedPacket
from fbjd_ingest.readings.models import Reading, Receipt, ReceiptDaily
from fbjd_ingest.security.models import LinkErrorDaily, SecurityEvent

__all__ = [
    "Base",
    "Command",
    "Device",
    "LinkErrorDaily",
    "QuarantinedPacket",
    "Reading",
    "Receipt",
    "ReceiptDaily",
    "SecurityEvent",
]
