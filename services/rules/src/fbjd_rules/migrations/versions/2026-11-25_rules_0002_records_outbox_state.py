"""abnormal records (versioned, with status and evidence), the outbox to workflow, evaluation state per
enterprise and per device, operations findings, threshold proposals

Revision ID: rules_0002
Revises: rules_0001
Create Date: 2026-11-26

Every table that grows with the data carries ps_id (the store can later be distributed by enterprise).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "rules_0002"
down_revision: str | None = "rules_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE TABLE rules.abnormals (
        id uuid PRIMARY KEY,
        version integer NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        ps_id text NOT NULL,
        enterprise_name text NOT NULL,
        county text,
        industry text,
        production_facility_id text NOT NULL,
        production_facility_name text NOT NULL,
        treatment_facility_id text,
        treatment_facility_name text,
        treatment_point_id text,
        treatment_point_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        ongoing boolean NOT NULL,
        duration_minutes integer NOT NULL,
        grade text NOT NULL,
        production_threshold_kw double precision,
        treatment_threshold_kw double precision,
        judgement_minutes integer NOT NULL,
        limit_ratio double precision,
        remark text NOT NULL,
        evidence_points jsonb NOT NULL DEFAULT '[]'::jsonb,
        evidence_from timestamptz NOT NULL,
        evidence_to timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT ck_abnormals_type CHECK (
            type IN ('treatment_abnormal', 'stop_violation', 'limit_violation', 'offpeak_violation')),
        CONSTRAINT ck_abnormals_status CHECK (status IN ('open', 'withdrawn')),
        CONSTRAINT ck_abnormals_grade CHECK (grade IN ('general', 'serious', 'grave')),
        CONSTRAINT ck_abnormals_window CHECK (end_at >= start_at)
    )
    """,
    "CREATE INDEX ix_abnormals_ps_id_start_at ON rules.abnormals (ps_id, start_at)",
    "CREATE INDEX ix_abnormals_county_start_at ON rules.abnormals (county, start_at)",
    "CREATE INDEX ix_abnormals_start_at ON rules.abnormals (start_at)",
    "CREATE INDEX ix_abnormals_open_ongoing ON rules.abnormals (ps_id) WHERE ongoing AND status = 'open'",
    """
    CREATE TABLE rules.outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        record_id uuid NOT NULL,
        version integer NOT NULL,
        ps_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        sent_at timestamptz,
        outcome text,
        last_error text,
        CONSTRAINT uq_outbox_record_id UNIQUE (record_id, version)
    )
    """,
    "CREATE INDEX ix_outbox_pending ON rules.outbox (next_attempt_at, seq) WHERE sent_at IS NULL",
    """
    CREATE TABLE rules.enterprise_state (
        ps_id text PRIMARY KEY,
        county text,
        dirty_from timestamptz,
        dirty_seq bigint NOT NULL DEFAULT 0,
        dirty_since timestamptz,
        retry_at timestamptz,
        last_data_at timestamptz,
        last_evaluated_at timestamptz,
        evaluated_from timestamptz,
        last_error text,
        updated_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX ix_enterprise_state_dirty ON rules.enterprise_state (dirty_since) WHERE dirty_from IS NOT NULL",
    """
    CREATE TABLE rules.device_state (
        mn text PRIMARY KEY,
        ps_id text NOT NULL,
        last_data_at timestamptz NOT NULL,
        interval_s integer NOT NULL DEFAULT 300,
        updated_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX ix_device_state_ps_id ON rules.device_state (ps_id)",
    """
    CREATE TABLE rules.findings (
        id uuid PRIMARY KEY,
        ps_id text NOT NULL,
        county text,
        kind text NOT NULL,
        subject text NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz,
        status text NOT NULL,
        message text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT ck_findings_status CHECK (status IN ('open', 'resolved'))
    )
    """,
    "CREATE INDEX ix_findings_ps_id_kind ON rules.findings (ps_id, kind, start_at)",
    "CREATE INDEX ix_findings_open_subject ON rules.findings (subject, kind) WHERE status = 'open'",
    """
    CREATE TABLE rules.threshold_proposals (
        id uuid PRIMARY KEY,
        ps_id text NOT NULL,
        county text,
        point_id text NOT NULL,
        point_name text NOT NULL,
        role text NOT NULL,
        status text NOT NULL,
        estimate text NOT NULL,
        learned_kw double precision,
        declared_kw double precision,
        declared_source text,
        rated_kw double precision,
        off_level_kw double precision,
        on_level_kw double precision,
        confidence double precision NOT NULL,
        eta double precision NOT NULL,
        on_share double precision NOT NULL,
        samples integer NOT NULL,
        data_from timestamptz NOT NULL,
        data_to timestamptz NOT NULL,
        findings jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by text,
        CONSTRAINT ck_threshold_proposals_status CHECK (status IN ('proposed', 'accepted', 'rejected', 'superseded'))
    )
    """,
    "CREATE INDEX ix_threshold_proposals_ps_id ON rules.threshold_proposals (ps_id, created_at)",
    """
    CREATE UNIQUE INDEX uq_threshold_proposals_point_proposed
    ON rules.threshold_proposals (point_id) WHERE status = 'proposed'
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS rules.threshold_proposals",
    "DROP TABLE IF EXISTS rules.findings",
    "DROP TABLE IF EXISTS rules.device_state",
    "DROP TABLE IF EXISTS rules.enterprise_state",
    "DROP TABLE IF EXISTS rules.outbox",
    "DROP TABLE IF EXISTS rules.abnormals",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
