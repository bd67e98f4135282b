"""Settings of the registry service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fbjd_core.settings import BaseServiceSettings
from pydantic import BaseModel

__all__ = ["BoundingBox", "Settings", "SettingsDep", "settings_dependency"]


class BoundingBox(BaseModel):
    """The city's extent in WGS-84 degrees; an enterprise's lon/lat must fall inside."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


class Settings(BaseServiceSettings):
    service_name: str = "registry"
    city_code: str = "130900"  # 沧州市 (GB/T 2260)
    city_name: str = "沧州市"
    # Cangzhou spans about 115°42'–117°50' E and 37°29'–38°57' N; a little margin either side.
    city_bbox: BoundingBox = BoundingBox(min_lon=115.6, min_lat=37.4, max_lon=117.9, max_lat=39.0)
    # Where people open the platform (FBJD_PUBLIC_URL): the QR codes of on-site labels point there.
    public_url: str = "http://127.0.0.1:8000"
    # Largest document the acceptance process and the dossier keep (FBJD_DOCUMENT_MAX_BYTES); larger → 413.
    document_max_bytes: int = 20 * 1024 * 1024


def settings_dependency(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
