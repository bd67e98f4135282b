"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.db import Base
from fbjd_rules.evaluation.models import DeviceState, EnterpriseState
from fbjd_rules.findings.models import Finding
from fbjd_rules.outbox.models import OutboxMessage
from fbjd_rules.thresholds.models import ThresholdProposal

__all__ = [
    "AbnormalRecord",
    "Base",
    "DeviceState",
    "EnterpriseState",
    "Finding",
    "OutboxMessage",
    "ThresholdProposal",
]
