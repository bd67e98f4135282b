"""statistics tables kept current by the writer: live state per point, consumption rollups per point and
enterprise and day / month, the dirty keys that tell the rollup task what to recompute, and ingest.energy_delta()

Revision ID: ingest_0003
Revises: ingest_0002
Create Date: 2026-11-25

`point_latest` and `consumption_dirty` are written by the writer in the same transaction as the readings (one
set-based statement per batch); `consumption_daily`, `consumption_monthly` and their per-enterprise sums by the
rollup task (fbjd_ingest.consumption.rollup), which recomputes the dirty (point, day) keys from the raw readings.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_0003"
down_revision: str | None = "ingest_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    # Consumption between two readings of a cumulative register, never negative. A register that goes down
    # either rolled over (it was within 1% of a power of ten and wrapped to a small value: 999 999.6 → 0.4) or was
    # reset / replaced (it counts again from zero, so the new value is what was used since). Without the point's
    # rated power the two cannot be told apart better than that; the rules service, which knows it, flags both.
    """
    CREATE FUNCTION ingest.energy_delta(prev double precision, cur double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN prev IS NULL OR cur IS NULL OR cur < 0 THEN NULL
            WHEN cur >= prev THEN cur - prev
            WHEN prev > 0 AND cur < 0.01 * power(10, ceil(log(prev * 1.000001)))
                 AND prev >= 0.99 * power(10, ceil(log(prev * 1.000001)))
                THEN power(10, ceil(log(prev * 1.000001))) - prev + cur
            ELSE cur
        END
    $$
    """,
    # The last power value of each point (live state), upserted by the writer (newer data_time wins). Rewritten
    # with every batch: half-empty pages let the update stay on its page (HOT, no index write).
    """
    CREATE TABLE ingest.point_latest (
        point_id text PRIMARY KEY,
        ps_id text NOT NULL,
        mn text NOT NULL,
        data_time timestamptz NOT NULL,
        kw double precision,
        from_power boolean NOT NULL,
        received_at timestamptz NOT NULL,
        reg_cn text,
        reg_at timestamptz,
        reg_kwh double precision
    ) WITH (fillfactor = 50)
    """,
    "CREATE INDEX ix_point_latest_ps_id ON ingest.point_latest (ps_id)",
    # (point, CST day) whose consumption must be recomputed; `since` is the earliest DataTime stored for it since
    # the last recompute (later than the day's last reading: the recompute only adds the new readings).
    """
    CREATE TABLE ingest.consumption_dirty (
        point_id text NOT NULL,
        day date NOT NULL,
        ps_id text NOT NULL,
        mn text NOT NULL,
        since timestamptz NOT NULL,
        CONSTRAINT pk_consumption_dirty PRIMARY KEY (point_id, day)
    ) WITH (fillfactor = 50)
    """,
    # kWh per point and CST day. prio says which series it was computed from (3 minute energy, 2 real-time
    # energy, 1 minute power, 0 real-time power); last_at/last_reg continue it when more data arrives in order;
    # prev_at is the reading before the day's first one (its first register difference starts there).
    """
    CREATE TABLE ingest.consumption_daily (
        point_id text NOT NULL,
        day date NOT NULL,
        ps_id text NOT NULL,
        kwh double precision NOT NULL,
        samples integer NOT NULL,
        prio smallint NOT NULL,
        last_at timestamptz NOT NULL,
        last_reg double precision,
        prev_at timestamptz,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_consumption_daily PRIMARY KEY (point_id, day)
    )
    """,
    "CREATE INDEX ix_consumption_daily_ps_id_day ON ingest.consumption_daily (ps_id, day)",
    "CREATE INDEX ix_consumption_daily_day ON ingest.consumption_daily (day)",
    # Sum of the daily rows per point and month, rewritten by the same recompute (a year by enterprise for a city
    # reads 12 rows per point instead of 365: measured in `fbjd bench stats`).
    """
    CREATE TABLE ingest.consumption_monthly (
        point_id text NOT NULL,
        month date NOT NULL,
        ps_id text NOT NULL,
        kwh double precision NOT NULL,
        samples integer NOT NULL,
        CONSTRAINT pk_consumption_monthly PRIMARY KEY (point_id, month)
    )
    """,
    "CREATE INDEX ix_consumption_monthly_ps_id_month ON ingest.consumption_monthly (ps_id, month)",
    "CREATE INDEX ix_consumption_monthly_month ON ingest.consumption_monthly (month)",
    # The same per enterprise (sum of its points), rewritten for every (enterprise, day / month) touched: the
    # city's statistics by enterprise (and by county or industry, 2,000 rows a month) read these.
    """
    CREATE TABLE ingest.consumption_enterprise_daily (
        ps_id text NOT NULL,
        day date NOT NULL,
        kwh double precision NOT NULL,
        points integer NOT NULL,
        CONSTRAINT pk_consumption_enterprise_daily PRIMARY KEY (ps_id, day)
    )
    """,
    "CREATE INDEX ix_consumption_enterprise_daily_day ON ingest.consumption_enterprise_daily (day)",
    """
    CREATE TABLE ingest.consumption_enterprise_monthly (
        ps_id text NOT NULL,
        month date NOT NULL,
        kwh double precision NOT NULL,
        points integer NOT NULL,
        CONSTRAINT pk_consumption_enterprise_monthly PRIMARY KEY (ps_id, month)
    )
    """,
    "CREATE INDEX ix_consumption_enterprise_monthly_month ON ingest.consumption_enterprise_monthly (month)",
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS ingest.consumption_enterprise_monthly",
    "DROP TABLE IF EXISTS ingest.consumption_enterprise_daily",
    "DROP TABLE IF EXISTS ingest.consumption_monthly",
    "DROP TABLE IF EXISTS ingest.consumption_daily",
    "DROP TABLE IF EXISTS ingest.consumption_dirty",
    "DROP TABLE IF EXISTS ingest.point_latest",
    "DROP FUNCTION IF EXISTS ingest.energy_delta(double precision, double precision)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
