"""findings carry severity, terminal (MN) and point: the device and data findings of rule 5

Revision ID: rules_0004
Revises: rules_0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "rules_0004"
down_revision: str | None = "rules_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE rules.findings ADD COLUMN severity text NOT NULL DEFAULT 'general'")
    op.execute("ALTER TABLE rules.findings ADD COLUMN mn text")
    op.execute("ALTER TABLE rules.findings ADD COLUMN point_id text")


def downgrade() -> None:
    op.execute("ALTER TABLE rules.findings DROP COLUMN point_id")
    op.execute("ALTER TABLE rules.findings DROP COLUMN mn")
    op.execute("ALTER TABLE rules.findings DROP COLUMN severity")
