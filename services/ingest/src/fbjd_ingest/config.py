"""Settings of the ingest service (environment variables `FBJD_*`, e.g. FBJD_HJ212_PORT)."""

from __future__ import annotations

from fbjd_core.settings import BaseServiceSettings
from pydantic import Field

__all__ = ["Settings"]


class Settings(BaseServiceSettings):
    service_name: str = "ingest"

    # -- HJ 212 TCP server ------------------------------------------------------------------------------------
    hj212_enabled: bool = True
    hj212_host: str = "0.0.0.0"
    hj212_port: int = 9212
    hj212_backlog: int = 4096
    # A connection silent this long is closed (terminals send at least every data interval, heartbeats in 2025).
    idle_timeout_s: float = Field(default=600.0, gt=0)
    # Bytes the frame decoder may hold for one connection (one packet is at most 1036).
    max_buffer_bytes: int = Field(default=8192, ge=1036)
    # Back-pressure: stop reading a connection while this many of its packets wait for their commit.
    max_inflight_per_connection: int = Field(default=256, ge=1)
    # Log at most this many bad frames per connection in full (then every 100th); all are counted.
    bad_frame_log_limit: int = 5

    # -- batched writer ---------------------------------------------------------------------------------------
    writer_batch_rows: int = Field(default=5000, ge=1)
    writer_latency_ms: float = Field(default=10.0, ge=0)
    # All connections stop reading while this many reading rows wait for the writer.
    writer_max_backlog_rows: int = Field(default=200_000, ge=1000)
    writer_pool_size: int = Field(default=4, ge=2)
    db_command_timeout_s: float = 60.0
    last_seen_resolution_s: float = 5.0

    # -- partitions ---------------------------------------------------------------------------------------------
    partition_days_ahead: int = 3
    # DataTimes outside [now - max_data_age_days, now + max_future_s] are kept in quarantine, not in readings,
    # so that a terminal with a wild clock cannot create partitions for 1970 or 2099.
    max_data_age_days: int = 400
    max_future_s: float = 86400.0

    # -- supervision of terminals ---------------------------------------------------------------------------
    online_factor: float = Field(default=2.0, gt=0)
    clock_skew_s: float = 60.0
    clock_command_interval_s: float = 600.0
    setup_on_connect: bool = True
    command_timeout_s: float = 15.0
    terminal_overtime_s: int = Field(default=10, ge=1, le=99)
    terminal_recount: int = Field(default=3, ge=1, le=99)
    gap_fill: bool = True
    gap_lookback_days: int = 7
    history_timeout_s: float = 600.0
    device_refresh_s: float = 30.0

    # -- statistics: the consumption rollup task recomputes the dirty (point, day) keys this often, a page of keys
    # per round (a round's length is what a late-data page of full recomputes costs, ~1-1.5 ms a key) ----------
    consumption_refresh_s: float = Field(default=5.0, gt=0)
    consumption_batch_keys: int = Field(default=1000, ge=1)

    # -- the rules service learns of new data at once (its periodic sweep covers what a lost notice misses) -------
    notify_rules: bool = True

    # -- defaults for new devices -----------------------------------------------------------------------------
    default_profile: str = "hj212-2025-electric"
    default_rtd_interval_s: int = 60
    default_min_interval_s: int = 300
