"""data upload in ingest's commit order: each upstream's cursor gets a transaction-id position (and the floor
FBJD_UPSTREAM_FROM set when it was made)

Revision ID: bridge_0006
Revises: bridge_0005
Create Date: 2026-11-25

Existing rows keep xid NULL: their forwarder first finishes the receipts stored before ingest_0005 (xid NULL in
ingest.receipts_v1) by their received_at cursor, exactly where it stood, then walks in commit order from the
first transaction id. The one-off cost: receipts stored between ingest_0005 and this bridge's restart that the
old forwarder had already sent are sent again (at least once: the upstream deduplicates by MN + CN + DataTime);
nothing is skipped. Rows are keyed by the upstream's name, and a bare host:port upstream is named after its
address, so an existing row is found under the same key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bridge_0006"
down_revision: str | None = "bridge_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "bridge"


def upgrade() -> None:
    op.add_column("forward_cursor", sa.Column("xid", sa.BigInteger(), nullable=True), schema=SCHEMA)
    op.add_column(
        "forward_cursor", sa.Column("received_from", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("forward_cursor", "received_from", schema=SCHEMA)
    op.drop_column("forward_cursor", "xid", schema=SCHEMA)
