"""technical units (建设厂商/第三方运营商), their assignments to enterprises, and the city's blacklist

Revision ID: registry_0004
Revises: registry_0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "registry_0004"
down_revision: str | None = "registry_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_vendors_credit_code")),
        schema="registry",
    )
    op.create_table(
        "vendor_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_vendor_assignments_ps_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["registry.vendors.id"], name=op.f("fk_vendor_assignments_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_assignments")),
        sa.UniqueConstraint("ps_id", "vendor_id", "role", name="uq_vendor_assignments_ps_vendor_role"),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_vendor_assignments_ps_id"), "vendor_assignments", ["ps_id"], unique=False, schema="registry"
    )
    op.create_index(
        op.f("ix_registry_vendor_assignments_vendor_id"),
        "vendor_assignments",
        ["vendor_id"],
        unique=False,
        schema="registry",
    )
    op.create_table(
        "vendor_blacklist",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("listed_by", sa.String(length=100), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removal_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["registry.vendors.id"], name=op.f("fk_vendor_blacklist_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_blacklist")),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_vendor_blacklist_vendor_id"),
        "vendor_blacklist",
        ["vendor_id"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        "uq_vendor_blacklist_listed",
        "vendor_blacklist",
        ["vendor_id"],
        unique=True,
        schema="registry",
        postgresql_where=sa.text("removed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_vendor_blacklist_listed", table_name="vendor_blacklist", schema="registry")
    op.drop_index(op.f("ix_registry_vendor_blacklist_vendor_id"), table_name="vendor_blacklist", schema="registry")
    op.drop_table("vendor_blacklist", schema="registry")
    op.drop_index(op.f("ix_registry_vendor_assignments_vendor_id"), table_name="vendor_assignments", schema="registry")
    op.drop_index(op.f("ix_registry_vendor_assignments_ps_id"), table_name="vendor_assignments", schema="registry")
    op.drop_table("vendor_assignments", schema="registry")
    op.drop_table("vendors", schema="registry")
