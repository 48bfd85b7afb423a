"""Import designated cluster member firms (``cluster_member``): ``chainbrain clusters import-members FILE``.

CSV (UTF-8, header row): ``cluster_code`` (a cluster of the loaded pack), ``uscc`` (an enterprise
in the store), ``valid_from`` and ``valid_to`` (YYYY-MM-DD or empty = open; inclusive), ``source``
(the designating document, required). All or nothing: the first bad row stops the import with one
bilingual error naming file, row (the line number, header = 1) and field; nothing is written. A
good file replaces the designated members of every cluster it names (a cluster's list is filed
as a whole) and is logged as an import batch (kind ``cluster-members``), which also moves the
store's data version (web caches, kept disclosure patterns).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from chainbrain.ingest.batch import log_batch, new_batch_id
from chainbrain.store.schema_clusters import cluster_member

COLUMNS = ("cluster_code", "uscc", "valid_from", "valid_to", "source")


class MemberImportError(ValueError):
    """A bad file: the message names file, row and field, in English and Chinese."""


def _date(text: str, where: str, field: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise MemberImportError(f"{where}, field {field}: {text!r} is not YYYY-MM-DD "
                                f"(字段 {field} 日期格式应为 YYYY-MM-DD)") from None


def read(store, path: Path) -> list[dict]:
    """The rows of ``path``, checked against the store (raises :class:`MemberImportError`)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            header = rows[0].keys() if rows else None
    except (OSError, UnicodeDecodeError) as exc:
        raise MemberImportError(f"{path}: cannot read the file: {exc} (无法读取文件)") from None
    if not rows:
        raise MemberImportError(f"{path}: no rows (文件没有数据行)")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise MemberImportError(f"{path}, row 1: missing column(s) {', '.join(missing)} (缺少列 {', '.join(missing)})")
    with store.engine.connect() as conn:
        clusters = {r[0] for r in conn.execute(sa.text("SELECT code FROM cluster"))}
        ids = {r[0]: int(r[1]) for r in conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IS NOT NULL"))}
    out, seen = [], set()
    for i, r in enumerate(rows, start=2):
        where = f"{path}, row {i}"
        code = (r["cluster_code"] or "").strip()
        if code not in clusters:
            raise MemberImportError(f"{where}, field cluster_code: unknown cluster {code!r} (未知集群代码 {code!r})")
        uscc = (r["uscc"] or "").strip().upper()
        if uscc not in ids:
            raise MemberImportError(f"{where}, field uscc: no enterprise with USCC {uscc!r} in the store "
                                    f"(库中没有统一社会信用代码为 {uscc!r} 的企业)")
        if (code, uscc) in seen:
            raise MemberImportError(f"{where}, field uscc: {uscc} is listed twice for {code} (同一集群重复列出)")
        seen.add((code, uscc))
        start, end = _date(r["valid_from"], where, "valid_from"), _date(r["valid_to"], where, "valid_to")
        if start and end and end < start:
            raise MemberImportError(f"{where}, field valid_to: {end} is before valid_from {start} (截止日早于起始日)")
        source = (r["source"] or "").strip()
        if not source:
            raise MemberImportError(f"{where}, field source: the designating document is required (须填写认定文件)")
        out.append({"cluster_code": code, "enterprise_id": ids[uscc], "valid_from": start, "valid_to": end,
                    "source": source})
    return out


def import_members(store, path: Path) -> dict:
    """Check and load ``path`` in one transaction; returns {batch_id, rows, clusters}."""
    rows = read(store, Path(path))
    clusters = sorted({r["cluster_code"] for r in rows})
    with store.begin() as conn:
        batch = new_batch_id(store, conn)
        conn.execute(cluster_member.delete().where(cluster_member.c.cluster_code.in_(clusters)))
        conn.execute(cluster_member.insert(), [{**r, "batch_id": batch} for r in rows])
        log_batch(store, conn, batch, "cluster-members", str(path), len(rows), "loaded",
                  f"clusters: {', '.join(clusters)}")
    return {"batch_id": batch, "rows": len(rows), "clusters": clusters}
