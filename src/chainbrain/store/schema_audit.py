"""The audit log's hash chain and object column (migration 0024_audit_chain, issue #20).

``audit_log`` gains:

| column | meaning |
| object | what the entry is about, ``kind:key`` (``enterprise:91360…``, ``import:file.xlsx``, ``user:bob``) — the page's filter |
| prev_hash | ``row_hash`` of the entry before (64 zeros for the first entry ever) |
| row_hash | SHA-256 of ``prev_hash`` + the entry's canonical form (:func:`chainbrain.store.audit.canonical`) |

Any change to a stored entry, or a deleted or inserted one, breaks the chain at that
entry (``chainbrain audit verify``).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import audit_log

for _col in (sa.Column("object", sa.String(128)), sa.Column("prev_hash", sa.String(64)),
             sa.Column("row_hash", sa.String(64))):
    audit_log.append_column(_col)
audit_log.append_constraint(sa.Index("ix_audit_log_logged_at", "logged_at"))
