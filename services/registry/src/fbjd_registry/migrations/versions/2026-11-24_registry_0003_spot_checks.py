"""spot checks (市级抽查) of accepted enterprises: the draw with its seed and population, and results

Revision ID: registry_0003
Revises: registry_0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "registry_0003"
down_revision: str | None = "registry_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("population", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("drawn_by", sa.String(length=100), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
        schema="registry",
    )
    op.create_table(
        "spot_check_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("spot_check_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_spot_check_items_ps_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"], ["registry.spot_checks.id"], name=op.f("fk_spot_check_items_spot_check_id_spot_checks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_items")),
        sa.UniqueConstraint("spot_check_id", "ps_id", name="uq_spot_check_items_check_ps_id"),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_spot_check_items_ps_id"), "spot_check_items", ["ps_id"], unique=False, schema="registry"
    )
    op.create_index(
        op.f("ix_registry_spot_check_items_spot_check_id"),
        "spot_check_items",
        ["spot_check_id"],
        unique=False,
        schema="registry",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_registry_spot_check_items_spot_check_id"), table_name="spot_check_items", schema="registry")
    op.drop_index(op.f("ix_registry_spot_check_items_ps_id"), table_name="spot_check_items", schema="registry")
    op.drop_table("spot_check_items", schema="registry")
    op.drop_table("spot_checks", schema="registry")
