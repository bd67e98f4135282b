"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_workflow.alarms.models import Alarm, AlarmEvent
from fbjd_workflow.db import Base
from fbjd_workflow.declarations.models import Declaration
from fbjd_workflow.enforcement.models import EnforcementTask, InspectionRecord
from fbjd_workflow.files.models import StoredFile
from fbjd_workflow.maintenance.models import MaintenanceTicket, TicketEvent
from fbjd_workflow.outbox.models import OutboxMessage
from fbjd_workflow.timers.models import Timer

__all__ = [
    "Alarm",
    "AlarmEvent",
    "Base",
    "Declaration",
    "EnforcementTask",
    "InspectionRecord",
    "MaintenanceTicket",
    "OutboxMessage",
    "StoredFile",
    "TicketEvent",
    "Timer",
]
