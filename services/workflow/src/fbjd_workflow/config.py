"""Settings of the workflow service (environment `FBJD_*`, read once in `create_app`).

Every duration of the process is here, so a city can change its SLA without a release and the tests can
shorten them by configuration instead of sleeping.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fbjd_core.settings import BaseServiceSettings
from pydantic import SecretStr

__all__ = ["Settings", "SettingsDep", "settings_dependency"]


class Settings(BaseServiceSettings):
    service_name: str = "workflow"

    # The process (附件4): the enterprise's self-check window and what follows it.
    self_check_minutes: float = 30.0
    self_check_reminder_minutes: float = 10.0  # a "time left" notice this long before the window closes
    continued_grace_minutes: float = 5.0  # abnormal time after handling that still counts as "the same moment"
    review_reminder_hours: float = 24.0  # an alarm waiting for the city this long gets a reminder event
    task_deadline_hours: float = 72.0  # an enforcement task not inspected by then is marked overdue

    # Maintenance tickets (运维工单): an open ticket past this goes to the city.
    maintenance_deadline_hours: float = 72.0
    # Recurring checks (weekly communication, quarterly data) for networked and accepted enterprises; 0: none.
    recurring_checks_poll_seconds: float = 3600.0

    # Background work (APScheduler interval jobs in each process; safe with several processes).
    scheduler_enabled: bool = True
    timer_poll_seconds: float = 5.0
    outbox_poll_seconds: float = 5.0
    outbox_backoff_seconds: float = 5.0  # first retry after this long, doubling each time
    outbox_backoff_max_seconds: float = 3600.0
    outbox_send_timeout_seconds: float = 10.0

    # Mobile enforcement system (移动执法系统) push mode: webhook URL and the HMAC shared secret.
    enforcement_webhook_url: str | None = None
    enforcement_webhook_secret: SecretStr | None = None
    webhook_tolerance_seconds: int = 300  # a receiver refuses a timestamp older (or newer) than this

    # Enterprise notifications (new alarm, time left): a webhook SMS/app gateways plug into; unset: log only.
    notification_webhook_url: str | None = None
    notification_webhook_secret: SecretStr | None = None

    # Evidence files and inspection photos.
    max_file_bytes: int = 20 * 1024 * 1024
    max_files_per_upload: int = 10

    registry_timeout_seconds: float = 3.0

    @property
    def self_check_window(self) -> timedelta:
        return timedelta(minutes=self.self_check_minutes)

    @property
    def self_check_reminder(self) -> timedelta:
        return timedelta(minutes=self.self_check_reminder_minutes)

    @property
    def continued_grace(self) -> timedelta:
        return timedelta(minutes=self.continued_grace_minutes)

    @property
    def review_reminder(self) -> timedelta:
        return timedelta(hours=self.review_reminder_hours)

    @property
    def task_deadline(self) -> timedelta:
        return timedelta(hours=self.task_deadline_hours)

    @property
    def maintenance_deadline(self) -> timedelta:
        return timedelta(hours=self.maintenance_deadline_hours)


def settings_dependency(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
