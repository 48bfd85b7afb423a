"""Evidence files of task progress reports: limits, storage outside the web root, lookup.

- Limits (pack rules, :mod:`chainbrain.work.task_rules`): at most ``max_bytes`` a file and
  ``max_files`` a report; the extension must be one of ``types`` and the first bytes must
  match it (PDF ``%PDF``, PNG, JPEG, ZIP-based Office/OFD ``PK``, legacy Office OLE), so a
  renamed executable is refused.
- Storage: ``<files dir>/tasks/<generated name>`` where the name is 32 random hex digits plus
  the checked extension; the uploaded name is kept in the table for display only and never
  used as a path. The files directory is ``$CHAINBRAIN_FILES_DIR``, else beside a DuckDB store
  (``<store>.files``), else ``data/files`` — never under the application's static folder.
- Serving is the web layer's job, after it has checked that the caller may see the task.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from chainbrain.work.task_rules import TaskRules

MAGIC = {
    "pdf": (b"%PDF",), "png": (b"\x89PNG",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "ofd": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",),
}


class EvidenceError(ValueError):
    """A file that is refused (bilingual message); the web layer answers 400 (413 for size)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def files_dir(db: str) -> Path:
    """Where uploaded files live (see the module docstring)."""
    env = os.environ.get("CHAINBRAIN_FILES_DIR")
    if env:
        return Path(env)
    if db and not db.startswith(("postgresql://", "postgres://", "postgresql+")):
        return Path(str(db) + ".files")
    return Path("data/files")


def check(filename: str, content: bytes, rules: TaskRules) -> tuple[str, str]:
    """(extension, content type) of an acceptable file; raises :class:`EvidenceError`."""
    name = (filename or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in rules.types:
        raise EvidenceError(f"file type .{ext or '?'} is not accepted; use {', '.join(sorted(rules.types))} "
                            f"(不接受该文件类型，允许：{'、'.join(sorted(rules.types))})")
    if len(content) > rules.max_bytes:
        raise EvidenceError(f"{name}: file larger than {rules.max_bytes // (1024 * 1024)} MiB "
                            f"(文件超过 {rules.max_bytes // (1024 * 1024)} MiB)", 413)
    if not content:
        raise EvidenceError(f"{name}: empty file (文件为空)")
    if ext in MAGIC and not content.startswith(MAGIC[ext]):
        raise EvidenceError(f"{name}: the content is not a .{ext} file (文件内容与扩展名 .{ext} 不符)")
    return ext, rules.types[ext]


def store_file(root: Path, ext: str, content: bytes) -> tuple[str, str]:
    """Write ``content`` under a generated name; returns (stored name, sha256)."""
    folder = root / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    path = folder / name
    with open(path, "xb") as f:
        f.write(content)
    return name, hashlib.sha256(content).hexdigest()


def path_of(root: Path, stored_name: str) -> Path:
    """The file of a stored name (generated names only: anything else is refused)."""
    stem, _, ext = stored_name.partition(".")
    if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem) or not ext.isalnum():
        raise EvidenceError("bad stored file name (文件名无效)")
    return root / "tasks" / stored_name
