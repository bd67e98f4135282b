"""audit_log: the append-only, hash-chained security audit log (logins, tokens, accounts, passwords)

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(96), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("detail", JSONB(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hash", name="uq_audit_log_hash"),
        schema="gateway",
    )
    op.create_index("ix_audit_log_kind_at", "audit_log", ["kind", "at"], schema="gateway")
    op.create_index("ix_audit_log_subject_at", "audit_log", ["subject", "at"], schema="gateway")
    # Append-only for the application: changing or removing a line is refused by the database itself.
    # (An owner who disables the trigger can still edit rows; the hash chain is what shows that.)
    op.execute(
        """
        CREATE FUNCTION gateway.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'gateway.audit_log is append-only (% refused)', TG_OP;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON gateway.audit_log "
        "FOR EACH ROW EXECUTE FUNCTION gateway.audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON gateway.audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION gateway.audit_log_append_only()"
    )


def downgrade() -> None:
    op.drop_table("audit_log", schema="gateway")
    op.execute("DROP FUNCTION gateway.audit_log_append_only()")
