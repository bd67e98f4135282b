"""Settings of the rules service: the rules' parameters (city-wide defaults) and how the service runs.

Every rule parameter is an environment variable (`FBJD_RULE_TREATMENT_MINUTES=20`, ...); a point's own
judgement time from the registry wins over `rule_treatment_minutes`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fbjd_core.auth import Principal, Role, issue_token
from fbjd_core.settings import BaseServiceSettings

from fbjd_rules.engine.params import RuleParams

__all__ = ["Settings", "SettingsDep", "service_token"]


class Settings(BaseServiceSettings):
    service_name: str = "rules"

    rule_treatment_minutes: int = 15
    rule_stop_minutes: int = 30
    rule_off_peak_minutes: int = 30
    rule_limit_minutes: int = 30
    rule_limit_tolerance: float = 0.10
    rule_grade_serious_minutes: int = 60
    rule_grade_grave_minutes: int = 240
    rule_offline_intervals: int = 3
    rule_voltage_lost_v: float = 10.0  # rule 5: voltage below this after a normal one is a power-off
    rule_stuck_hours: float = 4.0  # rule 5: exactly constant this long while others move is a stuck value
    rule_min_transmission_rate: float = 0.90  # rule 5: daily / monthly transmission rate below this
    rule_clock_skew_s: int = 300  # rule 5: DataTime this far ahead of its reception is clock skew

    background: bool = True  # evaluation worker, outbox sender and sweep; off for an API-only process
    evaluation_margin_minutes: int = 60  # re-evaluate from this long before the earliest changed reading
    evaluation_concurrency: int = 4
    evaluation_poll_s: float = 5.0  # the worker also looks for pending work this often (another process's)
    evaluation_retry_s: float = 30.0  # an evaluation that failed (registry down) is retried after this
    outbox_poll_s: float = 2.0
    outbox_batch: int = 50
    outbox_max_backoff_s: float = 300.0
    registry_cache_s: float = 5.0  # how long the registry's change list of an enterprise is trusted
    registry_periods_cache_s: float = 30.0  # how long the list of control periods (and obligations) is trusted
    sweep_interval_s: float = 60.0
    threshold_learning_days: int = 14

    def rule_params(self) -> RuleParams:
        return RuleParams(
            treatment_minutes=self.rule_treatment_minutes,
            stop_minutes=self.rule_stop_minutes,
            off_peak_minutes=self.rule_off_peak_minutes,
            limit_minutes=self.rule_limit_minutes,
            limit_tolerance=self.rule_limit_tolerance,
            grade_serious_minutes=self.rule_grade_serious_minutes,
            grade_grave_minutes=self.rule_grade_grave_minutes,
            offline_intervals=self.rule_offline_intervals,
            voltage_lost_v=self.rule_voltage_lost_v,
            stuck_hours=self.rule_stuck_hours,
            min_transmission_rate=self.rule_min_transmission_rate,
            clock_skew_s=self.rule_clock_skew_s,
        )


def service_token(settings: Settings) -> str:
    """A short-lived token for calling the registry and workflow as the rules service."""
    return issue_token(
        Principal(subject="rules", role=Role.SERVICE),
        secret=settings.jwt_secret.get_secret_value(),
        ttl=timedelta(minutes=settings.jwt_ttl_minutes),
    )


def settings_dependency(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
