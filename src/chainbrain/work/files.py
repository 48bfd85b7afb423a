"""Files attached to work items (requests, tasks' evidence…): limits, storage, lookup.

- Limits: at most :data:`MAX_BYTES` (10 MiB, configurable with
  ``CHAINBRAIN_WORK_MAX_FILE_MB``) and only the types of :data:`TYPES`
  (PDF, PNG, JPEG, Word/Excel OOXML, plain text/CSV), checked by extension
  *and* by the file's first bytes (a renamed executable is refused).
- Storage: outside the web root, in :func:`files_dir` (``CHAINBRAIN_FILES_DIR``, else
  ``[work] files_dir`` of chainbrain.toml,
  else a ``files`` folder next to a DuckDB store, else ``data/files``), under a
  generated name (128 random bits + the extension); the original name, type
  and size are kept in ``work_attachment``. Nothing is served from that folder
  directly: routes check that the caller may see the item first.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import sqlalchemy as sa

from chainbrain.store.schema_work import work_attachment
from chainbrain.work.records import Invalid, new_id, now

#: extension → (content type, check of the first bytes)
TYPES = {
    ".pdf": ("application/pdf", lambda b: b.startswith(b"%PDF-")),
    ".png": ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda b: b.startswith(b"PK\x03\x04")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              lambda b: b.startswith(b"PK\x03\x04")),
    ".txt": ("text/plain; charset=utf-8", lambda b: _is_text(b)),
    ".csv": ("text/csv; charset=utf-8", lambda b: _is_text(b)),
}


def _is_text(b: bytes) -> bool:
    if b"\x00" in b:
        return False
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def max_bytes() -> int:
    try:
        return int(float(os.environ.get("CHAINBRAIN_WORK_MAX_FILE_MB", "10")) * 1024 * 1024)
    except ValueError:
        return 10 * 1024 * 1024


MAX_BYTES = max_bytes()


def _configured() -> str:
    """``[work] files_dir`` of the configuration file ("" when unset or the file is unreadable)."""
    from chainbrain.config import ConfigError, load_settings

    try:
        return load_settings().files_dir
    except ConfigError:
        return ""


def files_dir(store) -> Path:
    """Where attachments are kept (created on first use)."""
    env = os.environ.get("CHAINBRAIN_FILES_DIR") or _configured()
    if env:
        out = Path(env)
    elif store.kind == "duckdb" and store.db != ":memory:":
        out = Path(store.db).resolve().parent / "files"
    else:
        out = Path("data") / "files"
    out.mkdir(parents=True, exist_ok=True)
    return out


def check(filename: str, content: bytes) -> tuple[str, str]:
    """(extension, content type) of an acceptable file; :class:`Invalid` naming the file otherwise."""
    name = (filename or "").strip()
    ext = Path(name).suffix.lower()
    if not name:
        raise Invalid("file: a file name is required (文件：缺少文件名)")
    if ext not in TYPES:
        raise Invalid(f"file {name}: type {ext or '(none)'} not accepted; allowed {', '.join(TYPES)} "
                      f"(文件 {name}：不接受此类型)")
    if len(content) > max_bytes():
        raise Invalid(f"file {name}: {len(content)} bytes exceeds the limit of {max_bytes()} bytes "
                      f"(文件 {name}：超过大小上限)")
    if not content:
        raise Invalid(f"file {name}: empty (文件 {name}：内容为空)")
    ctype, ok = TYPES[ext]
    if not ok(content[:4096] if ext not in (".txt", ".csv") else content):
        raise Invalid(f"file {name}: its content is not {ext} (文件 {name}：内容与扩展名不符)")
    return ext, ctype


def save(conn: sa.Connection, store, entity: str, entity_id: int, filename: str, content: bytes,
         actor: str) -> dict:
    """Check, store and record one file for the item (in the caller's transaction)."""
    ext, ctype = check(filename, content)
    stored = secrets.token_hex(16) + ext
    fid = new_id(conn, "work_attachment")
    original = Path(filename.replace("\\", "/")).name[:200]
    conn.execute(work_attachment.insert().values(
        id=fid, entity=entity, entity_id=int(entity_id), stored_name=stored, original_name=original,
        content_type=ctype, size_bytes=len(content), uploaded_by=actor[:64], uploaded_at=now()))
    path = files_dir(store) / stored
    path.write_bytes(content)                       # a failure here rolls the row back
    return {"id": fid, "name": original, "content_type": ctype, "size_bytes": len(content)}


def listing(conn: sa.Connection, entity: str, entity_id: int) -> list[dict]:
    rows = conn.execute(sa.select(work_attachment).where(work_attachment.c.entity == entity,
                                                         work_attachment.c.entity_id == entity_id)
                        .order_by(work_attachment.c.id)).all()
    return [{"id": int(r.id), "name": r.original_name, "content_type": r.content_type,
             "size_bytes": int(r.size_bytes), "uploaded_by": r.uploaded_by,
             "uploaded_at": r.uploaded_at.isoformat(sep=" ")} for r in rows]


def find(conn: sa.Connection, file_id: int):
    """The attachment row (entity, entity_id, stored_name, …) or None."""
    return conn.execute(sa.select(work_attachment).where(work_attachment.c.id == int(file_id))).first()


def path_of(store, row) -> Path:
    return files_dir(store) / row.stored_name
