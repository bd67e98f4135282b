"""county platforms: the records they report to the city, merged, and their delivery to the workflow

Revision ID: bridge_0005
Revises: bridge_0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bridge_0005"
down_revision: str | None = "bridge_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.create_table(
        "county_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("point", sa.String(length=64), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("alarm_stage", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_county_reports")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_county_reports_point", "county_reports", ["endpoint", "ps_id", "point", "start_at"], schema=SCHEMA
    )
    op.create_index("ix_county_reports_county", "county_reports", ["county", "updated_at"], schema=SCHEMA)
    op.create_index(
        "ix_county_reports_undelivered",
        "county_reports",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("delivered_version < version"),
    )


def downgrade() -> None:
    op.drop_table("county_reports", schema=SCHEMA)
