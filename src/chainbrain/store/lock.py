"""Who holds a DuckDB file: the lock error, the server's control socket, the server's own store.

DuckDB lets one process open a file for writing; a second ``duckdb.connect`` fails with
``IO Error: Could not set lock on file "…": Conflicting lock is held in PROGRAM (PID n)``.
:func:`locked_error` turns that into :class:`StoreLocked` (the file, the holder's PID and
program), which the command line answers by sending the command to the server's control
socket (:mod:`chainbrain.cli.remote`) or with one bilingual line.

A ChainBrain server that holds a file listens on :func:`control_path` (``<db>.sock`` beside the
file, mode 0600; :mod:`chainbrain.web.control`). While it runs a command for the command line,
:data:`HOSTED` makes :func:`chainbrain.store.open_store` hand out a connection of the server's own
store for that file instead of opening it a second time.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
from pathlib import Path

#: (real path of the server's file, factory of a store on the server's connection) in the thread
#: that runs a command for the command line; None elsewhere
HOSTED: contextvars.ContextVar = contextvars.ContextVar("chainbrain_hosted_store", default=None)

_LOCK = re.compile(r'Could not set lock on file "(?P<file>[^"]*)": Conflicting lock is held in '
                   r'(?P<program>.*?)(?: \(PID (?P<pid>\d+)\))?(?:\. See also|$)', re.S)

#: Unix socket paths are limited to 108 bytes (sun_path); longer ones go to a private directory
_SUN_PATH_MAX = 100


class StoreLocked(Exception):
    """Another process holds the DuckDB file ``db`` (``pid`` and ``program`` when DuckDB names them)."""

    def __init__(self, db: str, pid: int | None = None, program: str | None = None):
        self.db, self.pid, self.program = db, pid, program
        super().__init__(self.message())

    def holder(self) -> str:
        if self.pid is None:
            return "another process"
        return f"another process (PID {self.pid}" + (f", {Path(self.program).name})" if self.program else ")")

    def message(self) -> str:
        """The one line when no ChainBrain server answers for the file."""
        pid_zh = f"（PID {self.pid}）" if self.pid else ""
        return (f"{self.db} is locked by {self.holder()} and no ChainBrain server answers on "
                f"{control_path(self.db)}: stop that process and run the command again, or let a "
                f"`chainbrain serve --db` of this file run it "
                f"(数据库文件被另一进程{pid_zh}锁定，且没有 ChainBrain 服务应答：请停止该进程后重试，"
                f"或在该文件的 chainbrain serve 运行时执行命令)")


def locked_error(db: str, exc: BaseException) -> StoreLocked | None:
    """``exc`` as :class:`StoreLocked` when it is DuckDB's lock conflict, else None."""
    m = _LOCK.search(str(exc))
    if m is None:
        return None
    return StoreLocked(db, int(m["pid"]) if m["pid"] else None, m["program"] or None)


def real(db: str) -> str:
    """The file's absolute, symlink-free path (how a server and a command agree on "the same file")."""
    return os.path.realpath(os.path.expanduser(db))


def control_path(db: str) -> Path:
    """The control socket of a server holding ``db``: ``<db>.sock`` beside the file, or — when that
    path is too long for a Unix socket — ``$TMPDIR/chainbrain-<uid>/<hash>.sock`` (directory 0700)."""
    path = real(db) + ".sock"
    if len(path.encode()) <= _SUN_PATH_MAX:
        return Path(path)
    import tempfile

    digest = hashlib.sha256(real(db).encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"chainbrain-{os.getuid()}" / f"{digest}.sock"


def hosted(db: str):
    """A store on the server's connection when this thread runs a command for the command line
    and ``db`` is the server's file; else None."""
    entry = HOSTED.get()
    if entry is None or db == ":memory:" or "://" in db:
        return None
    path, factory = entry
    return factory() if real(db) == path else None
