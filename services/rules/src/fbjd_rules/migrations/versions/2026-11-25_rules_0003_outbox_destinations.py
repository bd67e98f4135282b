"""outbox rows per destination: the workflow and the provincial bridge each get every record version

Revision ID: rules_0003
Revises: rules_0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "rules_0003"
down_revision: str | None = "rules_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE rules.outbox ADD COLUMN destination text NOT NULL DEFAULT 'workflow'")
    op.execute("ALTER TABLE rules.outbox DROP CONSTRAINT uq_outbox_record_id")
    op.execute("ALTER TABLE rules.outbox ADD CONSTRAINT uq_outbox_record_id UNIQUE (record_id, version, destination)")


def downgrade() -> None:
    op.execute("DELETE FROM rules.outbox WHERE destination <> 'workflow'")
    op.execute("ALTER TABLE rules.outbox DROP CONSTRAINT uq_outbox_record_id")
    op.execute("ALTER TABLE rules.outbox ADD CONSTRAINT uq_outbox_record_id UNIQUE (record_id, version)")
    op.execute("ALTER TABLE rules.outbox DROP COLUMN destination")
