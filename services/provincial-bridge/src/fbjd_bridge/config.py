"""Settings of the bridge service."""

from __future__ import annotations

from fbjd_core.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    service_name: str = "bridge"
