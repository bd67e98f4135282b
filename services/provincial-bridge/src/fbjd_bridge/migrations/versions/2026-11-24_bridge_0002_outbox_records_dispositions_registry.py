"""outbox to the province, its per-endpoint state, records, dispositions, registry sync items

Revision ID: bridge_0002
Revises: bridge_0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bridge_0002"
down_revision: str | None = "bridge_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        schema=SCHEMA,
    )
    op.create_index("ix_records_updated_at", "records", ["updated_at"], schema=SCHEMA)
    op.create_index("ix_records_ps_id", "records", ["ps_id"], schema=SCHEMA)

    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("suspect", sa.Boolean(), nullable=False),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_reply", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'sent', 'superseded', 'dead')", name=op.f("ck_outbox_state")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["endpoint", "ps_id", "seq"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index("ix_outbox_record_id", "outbox", ["record_id"], schema=SCHEMA)

    op.create_table(
        "endpoints",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_endpoints")),
        schema=SCHEMA,
    )
    op.execute("INSERT INTO bridge.endpoints (name, consecutive_failures) VALUES ('abnormal', 0), ('limit', 0)")

    op.create_table(
        "dispositions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inspection", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
        sa.UniqueConstraint("alarm_id", "stage", name="uq_dispositions_alarm_id_stage"),
        schema=SCHEMA,
    )
    op.create_index("ix_dispositions_received_at", "dispositions", ["received_at"], schema=SCHEMA)

    op.execute(sa.schema.CreateSequence(sa.Sequence("registry_seq", schema=SCHEMA)))
    op.create_table(
        "registry_items",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id", name=op.f("pk_registry_items")),
        schema=SCHEMA,
    )
    op.create_index("ix_registry_items_seq", "registry_items", ["seq"], schema=SCHEMA)
    op.create_table(
        "registry_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_registry_state")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("registry_state", schema=SCHEMA)
    op.drop_index("ix_registry_items_seq", table_name="registry_items", schema=SCHEMA)
    op.drop_table("registry_items", schema=SCHEMA)
    op.execute(sa.schema.DropSequence(sa.Sequence("registry_seq", schema=SCHEMA)))
    op.drop_index("ix_dispositions_received_at", table_name="dispositions", schema=SCHEMA)
    op.drop_table("dispositions", schema=SCHEMA)
    op.drop_table("endpoints", schema=SCHEMA)
    op.drop_index("ix_outbox_record_id", table_name="outbox", schema=SCHEMA)
    op.drop_index("ix_outbox_pending", table_name="outbox", schema=SCHEMA)
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_index("ix_records_ps_id", table_name="records", schema=SCHEMA)
    op.drop_index("ix_records_updated_at", table_name="records", schema=SCHEMA)
    op.drop_table("records", schema=SCHEMA)
