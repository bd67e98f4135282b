"""the published view receipts_v1 and an index to walk receipts in arrival order (the bridge forwards them
upstream: services/provincial-bridge, forwarding/)

Revision ID: ingest_0004
Revises: ingest_0003
Create Date: 2026-11-25

`receipts` is partitioned by data_time, so the index on the partitioned table is one index per day partition
(partitions created later get theirs automatically). A reader walking "after (received_at, mn, cn, data_time)"
gets a Merge Append of one short index scan per partition. On a database that already holds many partitions,
CREATE INDEX on the parent locks writes while it builds every partition's index; to avoid that, build each
partition's index with CREATE INDEX CONCURRENTLY first (same columns): the parent's CREATE INDEX then attaches
them instead of building.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_0004"
down_revision: str | None = "ingest_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "CREATE INDEX ix_receipts_received_at ON ingest.receipts (received_at, mn, cn, data_time)",
    """
    CREATE VIEW ingest.receipts_v1 AS
    SELECT ps_id, mn, cn, st, data_time, received_at
    FROM ingest.receipts
    """,
    """
    COMMENT ON VIEW ingest.receipts_v1 IS
    'Contract v1 of ingest receipts for other services (the bridge forwards them upstream): one row per '
    '(mn, cn, data_time) the first time it was stored (a resend adds nothing); data_time and received_at are UTC; '
    'received_at is when ingest received the packet, set before its batch commits (a reader walking by '
    'received_at must stay a few seconds behind the present). Its readings are the rows of readings_v1 with the '
    'same (mn, cn, data_time). A breaking change ships receipts_v2 beside it.'
    """,
]

DOWNGRADE = [
    "DROP VIEW IF EXISTS ingest.receipts_v1",
    "DROP INDEX IF EXISTS ingest.ix_receipts_received_at",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
