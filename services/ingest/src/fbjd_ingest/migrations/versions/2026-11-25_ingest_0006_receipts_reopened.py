"""receipts_v1.xid is the last transaction that added readings to the receipt: a late part of a split packet
(PNUM/PNO), or a resend carrying a factor the first copy lacked, moves the receipt to the batch that stored it, so
a reader in commit order meets it again, complete (the contract's comment says so; no schema change)

Revision ID: ingest_0006
Revises: ingest_0005
Create Date: 2026-11-25

Why: the bridge forwards each receipt with all its readings once, in commit order. A part that arrived after its
receipt was forwarded added readings nobody sent upstream. The writer now sets the receipt's xid to its own
transaction when it adds readings to a receipt stored before it (readings/store.py); a resend that adds nothing
moves nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_0006"
down_revision: str | None = "ingest_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMMENT_0005 = """
    COMMENT ON VIEW ingest.receipts_v1 IS
    'Contract v1 of ingest receipts for other services (the bridge forwards them upstream): one row per '
    '(mn, cn, data_time) the first time it was stored (a resend adds nothing); data_time and received_at are UTC; '
    'received_at is when ingest received the packet, set before its batch commits. xid (xid8) is the transaction '
    'that stored it: a reader that wants every receipt exactly once walks (xid, mn, cn, data_time) and takes only '
    'xid < pg_snapshot_xmin(pg_current_snapshot()) (every such transaction has ended, nothing older can appear); '
    'NULL for receipts stored before ingest_0005. county is the device''s county (NULL: unknown terminal). params '
    'are the packet''s CP fields other than DataTime and the factors (e.g. a 2081''s RestartTime, as sent). Its '
    'readings are the rows of readings_v1 with the same (mn, cn, data_time). A breaking change ships receipts_v2.'
"""

_COMMENT_0006 = """
    COMMENT ON VIEW ingest.receipts_v1 IS
    'Contract v1 of ingest receipts for other services (the bridge forwards them upstream): one row per '
    '(mn, cn, data_time) the first time it was stored (a resend adds nothing); data_time and received_at are UTC; '
    'received_at is when ingest received the packet, set before its batch commits. xid (xid8) is the last '
    'transaction that stored the receipt or added readings to it (a late part of a split packet, a resend with a '
    'factor the first copy lacked: the receipt moves to that transaction; a resend that adds nothing does not move '
    'it). A reader walking (xid, mn, cn, data_time) and taking only xid < pg_snapshot_xmin(pg_current_snapshot()) '
    '(every such transaction has ended, nothing older can appear) meets every receipt once per change of its '
    'readings, the last time with all of them. NULL for receipts stored before ingest_0005 and not completed '
    'since. county is the device''s county (NULL: unknown terminal). params are the packet''s CP fields other than '
    'DataTime and the factors (e.g. a 2081''s RestartTime, as sent). Its readings are the rows of readings_v1 with '
    'the same (mn, cn, data_time). A breaking change ships receipts_v2.'
"""


def upgrade() -> None:
    op.execute(_COMMENT_0006)


def downgrade() -> None:
    op.execute(_COMMENT_0005)
