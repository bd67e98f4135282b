"""findings are versioned and can be withdrawn: each version goes to the workflow's maintenance tickets

Revision ID: rules_0005
Revises: rules_0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "rules_0005"
down_revision: str | None = "rules_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE rules.findings ADD COLUMN version integer NOT NULL DEFAULT 1")
    op.execute("ALTER TABLE rules.findings ADD COLUMN status_reason text")
    op.execute("ALTER TABLE rules.findings DROP CONSTRAINT ck_findings_status")
    op.execute(
        "ALTER TABLE rules.findings ADD CONSTRAINT ck_findings_status"
        " CHECK (status IN ('open', 'resolved', 'withdrawn'))"
    )
    op.execute(
        "CREATE INDEX ix_findings_subject_kind_start ON rules.findings (subject, kind, start_at)"
        " WHERE status <> 'withdrawn'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS rules.ix_findings_subject_kind_start")
    op.execute("UPDATE rules.findings SET status = 'resolved' WHERE status = 'withdrawn'")
    op.execute("ALTER TABLE rules.findings DROP CONSTRAINT ck_findings_status")
    op.execute("ALTER TABLE rules.findings ADD CONSTRAINT ck_findings_status CHECK (status IN ('open', 'resolved'))")
    op.execute("ALTER TABLE rules.findings DROP COLUMN status_reason")
    op.execute("ALTER TABLE rules.findings DROP COLUMN version")
