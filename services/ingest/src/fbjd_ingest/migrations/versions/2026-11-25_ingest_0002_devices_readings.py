"""devices, day-partitioned receipts and readings, daily receipt rollup, quarantine, security events,
center commands, link-error counters, and the published view readings_v1

Revision ID: ingest_0002
Revises: ingest_0001
Create Date: 2026-11-25

Partitions of `receipts` and `readings` (one per China-Standard-Time day, named `<table>_pYYYYMMDD`) are created
by the service on demand (fbjd_ingest.readings.partitions); there is deliberately no DEFAULT partition: rows in
a DEFAULT partition would block creating the real partition of their day later.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_0002"
down_revision: str | None = "ingest_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE TABLE ingest.devices (
        id uuid PRIMARY KEY,
        mn text NOT NULL,
        password text NOT NULL,
        ps_id text NOT NULL,
        county text,
        name text NOT NULL,
        profile text NOT NULL,
        factor_map jsonb NOT NULL DEFAULT '{}'::jsonb,
        rtd_interval_s integer NOT NULL,
        min_interval_s integer NOT NULL,
        data_cn text NOT NULL DEFAULT '2051',
        protocol_version text,
        last_seen timestamptz,
        last_peer text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT uq_devices_mn UNIQUE (mn),
        CONSTRAINT ck_devices_ps_id CHECK (ps_id ~ '^[0-9a-f]{32}$'),
        CONSTRAINT ck_devices_intervals CHECK (rtd_interval_s > 0 AND min_interval_s > 0)
    )
    """,
    "CREATE INDEX ix_devices_ps_id ON ingest.devices (ps_id)",
    # One row per (MN, CN, DataTime): what arrived, when, from where. Its first insert counts in the rollup.
    """
    CREATE TABLE ingest.receipts (
        ps_id text NOT NULL,
        mn text NOT NULL,
        cn text NOT NULL,
        data_time timestamptz NOT NULL,
        qn text,
        st text,
        flag integer,
        pnum integer,
        pno integer,
        params jsonb,
        peer text,
        received_at timestamptz NOT NULL,
        CONSTRAINT pk_receipts PRIMARY KEY (mn, cn, data_time)
    ) PARTITION BY RANGE (data_time)
    """,
    """
    CREATE TABLE ingest.readings (
        ps_id text NOT NULL,
        mn text NOT NULL,
        cn text NOT NULL,
        code text NOT NULL,
        data_time timestamptz NOT NULL,
        rtd double precision,
        avg double precision,
        min double precision,
        max double precision,
        cou double precision,
        flag text,
        quantity text,
        point_id text,
        extra jsonb,
        received_at timestamptz NOT NULL,
        CONSTRAINT pk_readings PRIMARY KEY (mn, cn, code, data_time)
    ) PARTITION BY RANGE (data_time)
    """,
    """
    CREATE TABLE ingest.receipts_daily (
        ps_id text NOT NULL,
        mn text NOT NULL,
        cn text NOT NULL,
        day date NOT NULL,
        received integer NOT NULL,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        CONSTRAINT pk_receipts_daily PRIMARY KEY (mn, cn, day)
    )
    """,
    "CREATE INDEX ix_receipts_daily_ps_id_day ON ingest.receipts_daily (ps_id, day)",
    """
    CREATE TABLE ingest.quarantine (
        id uuid PRIMARY KEY,
        mn text NOT NULL,
        ps_id text,
        reason text NOT NULL,
        peer text,
        received_at timestamptz NOT NULL,
        st text,
        cn text,
        qn text,
        data_time timestamptz,
        raw bytea NOT NULL,
        adopted_at timestamptz
    )
    """,
    "CREATE INDEX ix_quarantine_mn_received_at ON ingest.quarantine (mn, received_at)",
    "CREATE INDEX ix_quarantine_waiting ON ingest.quarantine (received_at) WHERE adopted_at IS NULL",
    """
    CREATE TABLE ingest.security_events (
        id uuid PRIMARY KEY,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        ps_id text,
        mn text NOT NULL,
        peer text,
        cn text,
        qn text,
        detail jsonb
    )
    """,
    "CREATE INDEX ix_security_events_mn_at ON ingest.security_events (mn, at)",
    """
    CREATE TABLE ingest.commands (
        id uuid PRIMARY KEY,
        ps_id text NOT NULL,
        mn text NOT NULL,
        qn text NOT NULL,
        cn text NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        origin text NOT NULL,
        requested_by text,
        state text NOT NULL,
        sent_at timestamptz NOT NULL,
        qn_rtn integer,
        qn_rtn_at timestamptz,
        exe_rtn integer,
        replied_at timestamptz,
        answer jsonb,
        CONSTRAINT uq_commands_mn_qn UNIQUE (mn, qn)
    )
    """,
    "CREATE INDEX ix_commands_mn_sent_at ON ingest.commands (mn, sent_at)",
    """
    CREATE TABLE ingest.link_errors_daily (
        day date NOT NULL,
        peer text NOT NULL,
        mn text NOT NULL DEFAULT '',
        kind text NOT NULL,
        count bigint NOT NULL,
        last_at timestamptz NOT NULL,
        CONSTRAINT pk_link_errors_daily PRIMARY KEY (day, peer, mn, kind)
    )
    """,
    """
    CREATE VIEW ingest.readings_v1 AS
    SELECT ps_id, mn, cn, code, data_time, rtd, avg, min, max, cou, flag, quantity, point_id, received_at
    FROM ingest.readings
    """,
    """
    COMMENT ON VIEW ingest.readings_v1 IS
    'Contract v1 of ingest readings for other services (rules): one row per (mn, cn, code, data_time); '
    'data_time is UTC; quantity is null for factor codes the device profile does not map. '
    'A breaking change ships readings_v2 beside it.'
    """,
]

DOWNGRADE = [
    "DROP VIEW IF EXISTS ingest.readings_v1",
    "DROP TABLE IF EXISTS ingest.link_errors_daily",
    "DROP TABLE IF EXISTS ingest.commands",
    "DROP TABLE IF EXISTS ingest.security_events",
    "DROP TABLE IF EXISTS ingest.quarantine",
    "DROP TABLE IF EXISTS ingest.receipts_daily",
    "DROP TABLE IF EXISTS ingest.readings",  # drops its partitions with it
    "DROP TABLE IF EXISTS ingest.receipts",
    "DROP TABLE IF EXISTS ingest.devices",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
