"""registry push: the acknowledged cursor and the state of each configured target

Revision ID: bridge_0003
Revises: bridge_0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bridge_0003"
down_revision: str | None = "bridge_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.create_table(
        "registry_push",
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("pushes", sa.BigInteger(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_registry_push")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("registry_push", schema=SCHEMA)
