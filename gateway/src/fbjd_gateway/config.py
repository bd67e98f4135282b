"""Settings of the gateway."""

from __future__ import annotations

from fbjd_core.settings import BaseServiceSettings
from pydantic import SecretStr


class Settings(BaseServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8000
    demo: bool = False
    admin_password: SecretStr | None = None
    max_failed_logins: int = 5
    lockout_minutes: int = 15
