"""Settings of the web app."""

from __future__ import annotations

from fbjd_core.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    service_name: str = "web"
    gateway_url: str = "http://127.0.0.1:8000"
