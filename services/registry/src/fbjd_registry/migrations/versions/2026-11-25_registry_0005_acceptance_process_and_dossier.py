"""the acceptance process (application, platform and site audits), the dossier, and the documents they keep

Revision ID: registry_0005
Revises: registry_0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "registry_0005"
down_revision: str | None = "registry_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENTERPRISE = ["registry.enterprises.ps_id"]


def _owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["ps_id"], _ENTERPRISE, name=op.f(f"fk_{table}_ps_id_enterprises"))


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
        schema="registry",
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        _owner("documents"),
        sa.ForeignKeyConstraint(["sha256"], ["registry.blobs.sha256"], name=op.f("fk_documents_sha256_blobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        schema="registry",
    )
    op.create_index(
        "ix_documents_ps_id_area_section", "documents", ["ps_id", "area", "section"], unique=False, schema="registry"
    )
    op.create_index(op.f("ix_registry_documents_sha256"), "documents", ["sha256"], unique=False, schema="registry")
    op.create_table(
        "acceptance_applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("form", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_by", sa.String(length=100), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acceptance_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _owner("acceptance_applications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_applications")),
        sa.UniqueConstraint("ps_id", name=op.f("uq_acceptance_applications_ps_id")),
        schema="registry",
    )
    op.create_table(
        "acceptance_platform_audits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("transmission_rate", sa.Float(), nullable=True),
        sa.Column("rectification_deadline", sa.Date(), nullable=True),
        sa.Column("audited_by", sa.String(length=100), nullable=False),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=False),
        _owner("acceptance_platform_audits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_platform_audits")),
        sa.UniqueConstraint("ps_id", "round", name="uq_acceptance_platform_audits_ps_id_round"),
        schema="registry",
    )
    op.create_table(
        "acceptance_site_audits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("people", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rectification_deadline", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _owner("acceptance_site_audits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_site_audits")),
        sa.UniqueConstraint("ps_id", "round", name="uq_acceptance_site_audits_ps_id_round"),
        schema="registry",
    )
    op.create_table(
        "dossier_sections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _owner("dossier_sections"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_sections")),
        sa.UniqueConstraint("ps_id", "section", name="uq_dossier_sections_ps_id_section"),
        schema="registry",
    )


def downgrade() -> None:
    op.drop_table("dossier_sections", schema="registry")
    op.drop_table("acceptance_site_audits", schema="registry")
    op.drop_table("acceptance_platform_audits", schema="registry")
    op.drop_table("acceptance_applications", schema="registry")
    op.drop_index(op.f("ix_registry_documents_sha256"), table_name="documents", schema="registry")
    op.drop_index("ix_documents_ps_id_area_section", table_name="documents", schema="registry")
    op.drop_table("documents", schema="registry")
    op.drop_table("blobs", schema="registry")
