"""Backup, restore and the verify step that proves a restore: row counts and checksums per table.

DuckDB: ``EXPORT DATABASE`` (Parquet) runs in one read transaction, so the
snapshot is consistent while other connections of the same process write;
the folder is packed into one ``.tar`` file, ``manifest.json`` last (it lists every
member's size). The file is written as ``FILE.part`` and renamed when whole, so a killed
backup leaves only a ``.part``; restore and verify refuse a ``.part``, a file without the
manifest or with a member cut short (one bilingual line).
Restore: a *new* DuckDB file ``IMPORT DATABASE`` from it (an existing file is
refused: nothing already stored is overwritten). DuckDB allows one process
per file: while a server holds the file, another process cannot open it —
stop the server, or copy the file while it is stopped (see docs/operations.md).

PostgreSQL: ``pg_dump --format=custom`` of the installed server binaries,
taken at a snapshot exported by a repeatable-read transaction in which the
manifest's counts and checksums are read too (``pg_dump --snapshot``), so
both describe the same instant; the manifest is written beside the dump
(``FILE.manifest.json``, with the dump's size and SHA-256, which restore and verify check first;
dump and manifest are written as ``.part`` and renamed). Restore: ``pg_restore --no-owner --exit-on-error``
into an empty database (a database with ChainBrain tables is refused).

Checksum of a table: SHA-256 over its rows in the order of all columns
(``ORDER BY 1, 2, …``), each row the JSON array of ``str()`` of its values —
the same engine gives the same text for the same data, so a restored copy
matches its source exactly; :func:`verify` names every table that differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import sqlalchemy as sa

from chainbrain.store.engine import is_postgres, libpq_url


ROOT = "chainbrain-backup"                   # the folder inside a DuckDB backup's .tar
MANIFEST = f"{ROOT}/manifest.json"           # written last into the .tar
PART = ".part"                               # a backup being written: renamed when whole


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (bilingual message)."""


class _Reader:
    """Tables and rows through a SQLAlchemy connection, or a raw DuckDB cursor (inside its transaction)."""

    def __init__(self, conn=None, cur=None):
        self.conn, self.cur = conn, cur

    def tables(self) -> list[str]:
        sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
               "AND table_type = 'BASE TABLE'")
        rows = self.cur.execute(sql).fetchall() if self.cur is not None else self.conn.execute(sa.text(sql)).all()
        return sorted(r[0] for r in rows)

    def chunks(self, sql: str, size: int):
        if self.cur is not None:
            self.cur.execute(sql)
            while rows := self.cur.fetchmany(size):
                yield rows
            return
        res = self.conn.execution_options(stream_results=True).execute(sa.text(sql))
        while rows := res.fetchmany(size):
            yield rows

    def width(self, table: str) -> int:
        if self.cur is not None:
            return len(self.cur.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
        return len(self.conn.execute(sa.text(f'SELECT * FROM "{table}" LIMIT 0')).keys())


def _reader(conn) -> _Reader:
    return conn if isinstance(conn, _Reader) else _Reader(conn=conn)


def _tables(conn) -> list[str]:
    return _reader(conn).tables()


def table_digest(conn, table: str, chunk: int = 50_000) -> tuple[int, str]:
    """(rows, SHA-256 over the rows in the order of all columns) of ``table``."""
    rd = _reader(conn)
    order = ", ".join(str(i) for i in range(1, rd.width(table) + 1))
    h, n = hashlib.sha256(), 0
    for rows in rd.chunks(f'SELECT * FROM "{table}" ORDER BY {order}', chunk):
        for r in rows:
            h.update(json.dumps([None if v is None else str(v) for v in r], ensure_ascii=False).encode())
            h.update(b"\n")
        n += len(rows)
    return n, h.hexdigest()


def manifest(conn) -> dict:
    """``{"tables": {name: {"rows", "sha256"}}}`` of every table the connection (or :class:`_Reader`) sees."""
    rd = _reader(conn)
    return {"tables": {t: dict(zip(("rows", "sha256"), table_digest(rd, t))) for t in rd.tables()}}


def compare(expected: dict, actual: dict) -> list[str]:
    """The differences between two manifests, one line each (empty: identical)."""
    out = []
    exp, act = expected["tables"], actual["tables"]
    for t in sorted(set(exp) | set(act)):
        if t not in act:
            out.append(f"{t}: missing in the restored copy (恢复副本中缺少此表)")
        elif t not in exp:
            out.append(f"{t}: not in the backup (备份中无此表)")
        elif exp[t]["rows"] != act[t]["rows"]:
            out.append(f"{t}: {exp[t]['rows']} rows in the backup, {act[t]['rows']} restored (行数不一致)")
        elif exp[t]["sha256"] != act[t]["sha256"]:
            out.append(f"{t}: same row count, different content (内容校验和不一致)")
    return out


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                   reverse=True)), None)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client programs (未找到 {name}：请安装 PostgreSQL 客户端)")
    return str(found)


def _run(args: list[str]) -> None:
    res = subprocess.run(args, capture_output=True, text=True)
    if res.returncode != 0:
        msg = (res.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{Path(args[0]).name}: {msg} ({Path(args[0]).name} 执行失败)")


# ---------------------------------------------------------------- backup
def backup(store, out: Path) -> dict:
    """Write a backup of ``store`` to ``out``; the manifest (tables, rows, checksums)."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out}: already exists; choose a new file (文件已存在，请换一个文件名)")
    out.parent.mkdir(parents=True, exist_ok=True)
    if store.kind == "duckdb":
        return _backup_duckdb(store, out)
    return _backup_postgres(store, out)


def _backup_duckdb(store, out: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix="chainbrain-backup-"))
    try:
        cur = store._raw.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")                  # one snapshot for the export and the manifest
            cur.execute(f"EXPORT DATABASE '{work / 'db'}' (FORMAT parquet)")
            man = {"engine": "duckdb", **manifest(_Reader(cur=cur))}
            cur.execute("COMMIT")
        finally:
            cur.close()
        parts = sorted((work / "db").rglob("*"))
        man["files"] = {f"{ROOT}/{f.relative_to(work / 'db').as_posix()}": f.stat().st_size
                        for f in parts if f.is_file()}
        (work / "manifest.json").write_text(json.dumps(man, indent=1), encoding="utf-8")
        tmp = out.with_name(out.name + PART)
        with tarfile.open(tmp, "w") as tar:
            for f in parts:
                tar.add(f, arcname=f"{ROOT}/{f.relative_to(work / 'db').as_posix()}", recursive=False)
            _pause_hook()
            tar.add(work / "manifest.json", arcname=MANIFEST)   # last: a file holding it is complete
        os.replace(tmp, out)                                 # the file appears whole or not at all
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return man


def _backup_postgres(store, out: Path) -> dict:
    tmp = out.with_name(out.name + ".part")
    with store.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snap = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
            _run([_pg_bin("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snap}", "--file", str(tmp),
                  "--dbname", libpq_url(store.db)])
            man = {"engine": "postgres", **manifest(conn)}
    man["dump"] = {"bytes": tmp.stat().st_size, "sha256": _file_sha256(tmp)}
    _pause_hook()
    side = Path(str(out) + ".manifest.json")
    side_tmp = side.with_name(side.name + PART)
    side_tmp.write_text(json.dumps(man, indent=1), encoding="utf-8")
    os.replace(side_tmp, side)
    os.replace(tmp, out)
    return man


# ---------------------------------------------------------------- restore
def read_manifest(src: Path) -> dict:
    """The manifest of the backup ``src``, after checking the file is whole: an unfinished ``.part``,
    a truncated or damaged file is refused (:class:`BackupError`)."""
    src = Path(src)
    if src.name.endswith(PART):
        raise BackupError(f"{src}: an unfinished backup (its writing was interrupted); use a finished backup "
                          f"or run `chainbrain db backup` again (未完成的备份文件：备份中途中断，请使用完整备份或重新备份)")
    if not src.exists():
        raise BackupError(f"{src}: no such backup file (备份文件不存在)")
    side = Path(str(src) + ".manifest.json")
    if not side.exists():
        return _tar_manifest(src)
    try:
        man = json.loads(side.read_text(encoding="utf-8"))
    except ValueError:
        raise BackupError(f"{side}: the manifest is damaged (清单文件已损坏)") from None
    dump = man.get("dump")
    if dump and (src.stat().st_size != dump["bytes"] or _file_sha256(src) != dump["sha256"]):
        raise _damaged(src)
    return man


def _damaged(src: Path) -> BackupError:
    return BackupError(f"{src}: truncated or damaged (not the file the backup wrote); use another backup "
                       f"(备份文件不完整或已损坏，请使用其他备份)")


def _tar_manifest(src: Path) -> dict:
    """The manifest inside a DuckDB backup (``.tar``), every member checked present with its size."""
    try:
        with tarfile.open(src) as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                if any(n.startswith(ROOT + "/") for n in members):
                    raise _damaged(src)              # the manifest is written last: the file was cut short
                raise BackupError(f"{src}: not a ChainBrain backup (不是 ChainBrain 备份文件)")
            man = json.loads(tar.extractfile(members[MANIFEST]).read())
    except (tarfile.TarError, EOFError, ValueError, OSError):
        if src.stat().st_size == 0 or not _looks_like_tar(src):
            raise BackupError(f"{src}: not a ChainBrain backup, or a truncated one "
                              f"(不是 ChainBrain 备份文件，或文件不完整)") from None
        raise _damaged(src) from None
    for name, size in (man.get("files") or {}).items():
        if name not in members or members[name].size != size:
            raise _damaged(src)
    end = max((m.offset_data + m.size for m in members.values()), default=0)
    if src.stat().st_size < end:
        raise _damaged(src)
    return man


def _looks_like_tar(src: Path) -> bool:
    with open(src, "rb") as f:
        head = f.read(512)
    return len(head) == 512 and head[257:262] == b"ustar"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _pause_hook() -> None:
    """Test hook (kill tests): when ``CHAINBRAIN_BACKUP_PAUSE`` names a file, the backup writes its pid
    there and sleeps ``CHAINBRAIN_BACKUP_PAUSE_S`` seconds with the ``.part`` file half written."""
    path = os.environ.get("CHAINBRAIN_BACKUP_PAUSE")
    if path:
        import time

        Path(path).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("CHAINBRAIN_BACKUP_PAUSE_S", "60")))


def restore(db: str, src: Path) -> dict:
    """Restore the backup ``src`` into the new/empty store ``db``, then :func:`verify` it; the result."""
    from chainbrain.store import open_store

    src = Path(src)
    man = read_manifest(src)
    want = "postgres" if is_postgres(db) else "duckdb"
    if man.get("engine") != want:
        raise BackupError(f"{src} is a {man.get('engine')} backup; it restores into a {man.get('engine')} store "
                          f"(备份类型为 {man.get('engine')}，只能恢复到同类数据库)")
    if want == "duckdb":
        if Path(db).exists():
            raise BackupError(f"{db}: already exists; restore into a new file (目标文件已存在，请恢复到新文件)")
        work = Path(tempfile.mkdtemp(prefix="chainbrain-restore-"))
        try:
            try:
                with tarfile.open(src) as tar:
                    tar.extractall(work, filter="data")
            except (tarfile.TarError, EOFError, OSError):
                raise _damaged(src) from None
            import duckdb

            Path(db).parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(db)
            try:
                con.execute(f"IMPORT DATABASE '{work / 'chainbrain-backup'}'")
            finally:
                con.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        with open_store(db) as store, store.engine.connect() as conn:
            if _tables(conn):
                raise BackupError("the target database is not empty; restore into a new database "
                                  "(目标数据库非空，请恢复到新数据库)")
        _run([_pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", libpq_url(db), str(src)])
    return verify(db, src, man)


def verify(db: str, src: Path, man: dict | None = None) -> dict:
    """Compare the store ``db`` with the backup's manifest: ``{"ok", "tables", "rows", "differences"}``."""
    from chainbrain.store import open_store

    from chainbrain.store.engine import StoreMissing

    try:
        store = open_store(db, must_exist=True)
    except StoreMissing as exc:
        raise BackupError(str(exc)) from None
    with store:
        man = man or read_manifest(src)          # the store is checked first, then the backup file
        with store.engine.connect() as conn:
            now = {"engine": man.get("engine"), **manifest(conn)}
    diff = compare(man, now)
    return {"ok": not diff, "tables": len(now["tables"]),
            "rows": sum(t["rows"] for t in now["tables"].values()), "differences": diff}
