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
    # The idle session time-out is `jwt_ttl_minutes` (FBJD_JWT_TTL_MINUTES, 30 by default): a token lives that
    # long, and a client in use trades it for a fresh one at POST /api/auth/refresh.
