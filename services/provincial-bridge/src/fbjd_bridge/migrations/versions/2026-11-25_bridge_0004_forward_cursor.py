"""data upload: the cursor and state of forwarding readings to an HJ 212 upstream

Revision ID: bridge_0004
Revises: bridge_0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bridge_0004"
down_revision: str | None = "bridge_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.create_table(
        "forward_cursor",
        sa.Column("upstream", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mn", sa.Text(), nullable=False),
        sa.Column("cn", sa.Text(), nullable=False),
        sa.Column("data_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarded", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connected_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ack_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("upstream", name=op.f("pk_forward_cursor")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("forward_cursor", schema=SCHEMA)
