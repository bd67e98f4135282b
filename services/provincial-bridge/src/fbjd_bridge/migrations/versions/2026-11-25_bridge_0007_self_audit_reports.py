"""the daily self-audit: the city's report computed by a background job and stored (the last few kept)

Revision ID: bridge_0007
Revises: bridge_0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bridge_0007"
down_revision: str | None = "bridge_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.create_table(
        "self_audit_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enterprises", sa.Integer(), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_audit_reports")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_self_audit_reports_latest",
        "self_audit_reports",
        ["window_days", "state", "generated_at"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_index("ix_self_audit_reports_latest", table_name="self_audit_reports", schema=SCHEMA)
    op.drop_table("self_audit_reports", schema=SCHEMA)
