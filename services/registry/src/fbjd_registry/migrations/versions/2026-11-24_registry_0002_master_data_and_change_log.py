"""master data (regions, enterprises, facilities, points, links), control plans and periods, change log, audit

Revision ID: registry_0002
Revises: registry_0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "registry_0002"
down_revision: str | None = "registry_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("old", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("new", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("seq", name=op.f("uq_changes_seq")),
        schema="registry",
    )
    op.create_index("ix_changes_entity_entity_id", "changes", ["entity", "entity_id"], unique=False, schema="registry")
    op.create_index(
        "ix_changes_ps_id_entity_at", "changes", ["ps_id", "entity", "entity_id", "at"], unique=False, schema="registry"
    )
    op.create_table(
        "cities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cities")),
        sa.UniqueConstraint("code", name=op.f("uq_cities_code")),
        schema="registry",
    )
    op.create_table(
        "counties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(["city_code"], ["registry.cities.code"], name=op.f("fk_counties_city_code_cities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counties")),
        sa.UniqueConstraint("code", name=op.f("uq_counties_code")),
        schema="registry",
    )
    op.create_table(
        "control_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("issuer_county_code", sa.String(length=6), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counties", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("industries", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_county_code"],
            ["registry.counties.code"],
            name=op.f("fk_control_periods_issuer_county_code_counties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_periods")),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_control_periods_ends_at"), "control_periods", ["ends_at"], unique=False, schema="registry"
    )
    op.create_index(
        op.f("ix_registry_control_periods_starts_at"), "control_periods", ["starts_at"], unique=False, schema="registry"
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("permit_no", sa.String(length=22), nullable=True),
        sa.Column("legal_representative", sa.String(length=50), nullable=False),
        sa.Column("postcode", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("industry", sa.String(length=10), nullable=False),
        sa.Column("is_300mw_power_plant", sa.Boolean(), nullable=False),
        sa.Column("env_contact_name", sa.String(length=50), nullable=False),
        sa.Column("env_contact_phone", sa.String(length=20), nullable=False),
        sa.Column("operator_name", sa.String(length=100), nullable=True),
        sa.Column("operator_contact", sa.String(length=50), nullable=True),
        sa.Column("operator_phone", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("planned_install_date", sa.Date(), nullable=True),
        sa.Column("planned_network_date", sa.Date(), nullable=True),
        sa.Column("planned_acceptance_date", sa.Date(), nullable=True),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("network_date", sa.Date(), nullable=True),
        sa.Column("acceptance_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["registry.counties.code"], name=op.f("fk_enterprises_county_code_counties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_enterprises_credit_code")),
        sa.UniqueConstraint("ps_id", name=op.f("uq_enterprises_ps_id")),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_enterprises_county_code"), "enterprises", ["county_code"], unique=False, schema="registry"
    )
    op.create_index(
        op.f("ix_registry_enterprises_industry"), "enterprises", ["industry"], unique=False, schema="registry"
    )
    op.create_table(
        "audit_results",
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("findings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_audit_results_ps_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("ps_id", name=op.f("pk_audit_results")),
        schema="registry",
    )
    op.create_table(
        "control_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_control_plans_ps_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_plans")),
        sa.UniqueConstraint("ps_id", "level", name="uq_control_plans_ps_id_level"),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_control_plans_ps_id"), "control_plans", ["ps_id"], unique=False, schema="registry"
    )
    op.create_table(
        "facilities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=True),
        sa.Column("rated_kw", sa.Float(), nullable=True),
        sa.Column("needs_treatment", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_facilities_ps_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        schema="registry",
    )
    op.create_index(op.f("ix_registry_facilities_ps_id"), "facilities", ["ps_id"], unique=False, schema="registry")
    op.create_table(
        "control_measures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("limit_share", sa.Float(), nullable=True),
        sa.Column("windows", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["registry.facilities.id"], name=op.f("fk_control_measures_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["registry.control_plans.id"],
            name=op.f("fk_control_measures_plan_id_control_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_control_measures_ps_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_measures")),
        sa.UniqueConstraint("plan_id", "facility_id", name="uq_control_measures_plan_facility"),
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_control_measures_facility_id"),
        "control_measures",
        ["facility_id"],
        unique=False,
        schema="registry",
    )
    op.create_index(
        op.f("ix_registry_control_measures_ps_id"), "control_measures", ["ps_id"], unique=False, schema="registry"
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("production_facility_id", sa.Uuid(), nullable=False),
        sa.Column("treatment_facility_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_facility_id"],
            ["registry.facilities.id"],
            name=op.f("fk_links_production_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_links_ps_id_enterprises")),
        sa.ForeignKeyConstraint(
            ["treatment_facility_id"],
            ["registry.facilities.id"],
            name=op.f("fk_links_treatment_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("production_facility_id", "treatment_facility_id", name="uq_links_pair"),
        schema="registry",
    )
    op.create_index(op.f("ix_registry_links_ps_id"), "links", ["ps_id"], unique=False, schema="registry")
    op.create_index(
        op.f("ix_registry_links_treatment_facility_id"),
        "links",
        ["treatment_facility_id"],
        unique=False,
        schema="registry",
    )
    op.create_table(
        "points",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("rated_kw", sa.Float(), nullable=True),
        sa.Column("threshold_kw", sa.Float(), nullable=True),
        sa.Column("threshold_source", sa.String(length=10), nullable=True),
        sa.Column("judgement_minutes", sa.Integer(), nullable=False),
        sa.Column("mn", sa.String(length=24), nullable=True),
        sa.Column("factor_code", sa.String(length=16), nullable=True),
        sa.Column("standby_group", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["registry.facilities.id"], name=op.f("fk_points_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["ps_id"], ["registry.enterprises.ps_id"], name=op.f("fk_points_ps_id_enterprises")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points")),
        schema="registry",
    )
    op.create_index(op.f("ix_registry_points_facility_id"), "points", ["facility_id"], unique=False, schema="registry")
    op.create_index(op.f("ix_registry_points_mn"), "points", ["mn"], unique=False, schema="registry")
    op.create_index(op.f("ix_registry_points_ps_id"), "points", ["ps_id"], unique=False, schema="registry")


def downgrade() -> None:
    op.drop_index(op.f("ix_registry_points_ps_id"), table_name="points", schema="registry")
    op.drop_index(op.f("ix_registry_points_mn"), table_name="points", schema="registry")
    op.drop_index(op.f("ix_registry_points_facility_id"), table_name="points", schema="registry")
    op.drop_table("points", schema="registry")
    op.drop_index(op.f("ix_registry_links_treatment_facility_id"), table_name="links", schema="registry")
    op.drop_index(op.f("ix_registry_links_ps_id"), table_name="links", schema="registry")
    op.drop_table("links", schema="registry")
    op.drop_index(op.f("ix_registry_control_measures_ps_id"), table_name="control_measures", schema="registry")
    op.drop_index(op.f("ix_registry_control_measures_facility_id"), table_name="control_measures", schema="registry")
    op.drop_table("control_measures", schema="registry")
    op.drop_index(op.f("ix_registry_facilities_ps_id"), table_name="facilities", schema="registry")
    op.drop_table("facilities", schema="registry")
    op.drop_index(op.f("ix_registry_control_plans_ps_id"), table_name="control_plans", schema="registry")
    op.drop_table("control_plans", schema="registry")
    op.drop_table("audit_results", schema="registry")
    op.drop_index(op.f("ix_registry_enterprises_industry"), table_name="enterprises", schema="registry")
    op.drop_index(op.f("ix_registry_enterprises_county_code"), table_name="enterprises", schema="registry")
    op.drop_table("enterprises", schema="registry")
    op.drop_index(op.f("ix_registry_control_periods_starts_at"), table_name="control_periods", schema="registry")
    op.drop_index(op.f("ix_registry_control_periods_ends_at"), table_name="control_periods", schema="registry")
    op.drop_table("control_periods", schema="registry")
    op.drop_table("counties", schema="registry")
    op.drop_table("cities", schema="registry")
    op.drop_index("ix_changes_ps_id_entity_at", table_name="changes", schema="registry")
    op.drop_index("ix_changes_entity_entity_id", table_name="changes", schema="registry")
    op.drop_table("changes", schema="registry")
