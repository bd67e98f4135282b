"""receipts in commit order: each receipt carries the id of the transaction that stored it (xid8), and
receipts_v1 publishes it with the device's county (the bridge forwards receipts upstream in that order); the
views also publish the packets' CP params (receipts_v1.params: e.g. a 2081's RestartTime) and each reading's
other fields (readings_v1.extra: e.g. i12001-Info), which the rules read for terminal power-off

Revision ID: ingest_0005
Revises: ingest_0004
Create Date: 2026-11-25

Why: received_at is stamped before the writer's batch commits, so a reader walking by received_at can pass a
receipt that commits later (a slow batch, an adopted quarantine packet) and never see it. A transaction id
filled at insert (`DEFAULT pg_current_xact_id()`, the top-level transaction's id, 64-bit: no wrap-around) gives a
commit-safe order: every transaction whose id is below `pg_snapshot_xmin(pg_current_snapshot())` has ended, so a
reader that takes only rows below that boundary, in (xid, mn, cn, data_time) order, never sees an older row
appear behind it later.

Rows stored before this migration keep xid NULL (adding a nullable column without a default is instant on every
partition; the default applies to inserts from now on). ALTER TABLE takes the table's lock, so no transaction
that inserted without the default is still open afterwards: the NULL rows are a closed set. The index on the
partitioned table is built per day partition (see ingest_0004's note on building them CONCURRENTLY first on a
large database).

`county` is the device's county now (ingest.devices, one row per MN), NULL for an unknown terminal. Columns are
only appended to the views (CREATE OR REPLACE VIEW), so readers of v1 are not broken.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_0005"
down_revision: str | None = "ingest_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMMENT_V1 = """
    COMMENT ON VIEW ingest.receipts_v1 IS
    'Contract v1 of ingest receipts for other services (the bridge forwards them upstream): one row per '
    '(mn, cn, data_time) the first time it was stored (a resend adds nothing); data_time and received_at are UTC; '
    'received_at is when ingest received the packet, set before its batch commits (a reader walking by '
    'received_at must stay a few seconds behind the present). Its readings are the rows of readings_v1 with the '
    'same (mn, cn, data_time). A breaking change ships receipts_v2 beside it.'
"""

_COMMENT_READINGS_V1 = """
    COMMENT ON VIEW ingest.readings_v1 IS
    'Contract v1 of ingest readings for other services (rules): one row per (mn, cn, code, data_time); '
    'data_time is UTC; quantity is null for factor codes the device profile does not map. '
    'A breaking change ships readings_v2 beside it.'
"""

UPGRADE = [
    "ALTER TABLE ingest.receipts ADD COLUMN xid xid8",
    "ALTER TABLE ingest.receipts ALTER COLUMN xid SET DEFAULT pg_current_xact_id()",
    "CREATE INDEX ix_receipts_xid ON ingest.receipts (xid, mn, cn, data_time)",
    """
    CREATE OR REPLACE VIEW ingest.receipts_v1 AS
    SELECT r.ps_id, r.mn, r.cn, r.st, r.data_time, r.received_at, r.xid, d.county, r.params
    FROM ingest.receipts AS r
    LEFT JOIN ingest.devices AS d ON d.mn = r.mn
    """,
    """
    CREATE OR REPLACE VIEW ingest.readings_v1 AS
    SELECT ps_id, mn, cn, code, data_time, rtd, avg, min, max, cou, flag, quantity, point_id, received_at, extra
    FROM ingest.readings
    """,
    """
    COMMENT ON VIEW ingest.readings_v1 IS
    'Contract v1 of ingest readings for other services (rules): one row per (mn, cn, code, data_time); '
    'data_time is UTC; quantity is null for factor codes the device profile does not map; extra holds the '
    'factor''s other fields as sent (e.g. Info of i12001-Info). A breaking change ships readings_v2 beside it.'
    """,
    """
    COMMENT ON VIEW ingest.receipts_v1 IS
    'Contract v1 of ingest receipts for other services (the bridge forwards them upstream): one row per '
    '(mn, cn, data_time) the first time it was stored (a resend adds nothing); data_time and received_at are UTC; '
    'received_at is when ingest received the packet, set before its batch commits. xid (xid8) is the transaction '
    'that stored it: a reader that wants every receipt exactly once walks (xid, mn, cn, data_time) and takes only '
    'xid < pg_snapshot_xmin(pg_current_snapshot()) (every such transaction has ended, nothing older can appear); '
    'NULL for receipts stored before ingest_0005. county is the device''s county (NULL: unknown terminal). params '
    'are the packet''s CP fields other than DataTime and the factors (e.g. a 2081''s RestartTime, as sent). Its '
    'readings are the rows of readings_v1 with the same (mn, cn, data_time). A breaking change ships receipts_v2.'
    """,
]

DOWNGRADE = [
    "DROP VIEW IF EXISTS ingest.readings_v1",
    """
    CREATE VIEW ingest.readings_v1 AS
    SELECT ps_id, mn, cn, code, data_time, rtd, avg, min, max, cou, flag, quantity, point_id, received_at
    FROM ingest.readings
    """,
    _COMMENT_READINGS_V1,
    "DROP VIEW IF EXISTS ingest.receipts_v1",
    """
    CREATE VIEW ingest.receipts_v1 AS
    SELECT ps_id, mn, cn, st, data_time, received_at
    FROM ingest.receipts
    """,
    _COMMENT_V1,
    "DROP INDEX IF EXISTS ingest.ix_receipts_xid",
    "ALTER TABLE ingest.receipts DROP COLUMN IF EXISTS xid",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
