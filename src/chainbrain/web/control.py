"""The server's control socket: command-line commands run inside ``chainbrain serve`` (DuckDB).

A DuckDB file is held by one process, so while ``chainbrain serve`` runs, ``chainbrain kpi``,
``chainbrain import …`` or ``chainbrain users disable …`` cannot open it. The server listens on
:func:`chainbrain.store.lock.control_path` (``<db>.sock`` beside the file): a Unix socket of mode
0600 (its owner only; a peer of another uid than the server's — root excepted — is refused, checked
with ``SO_PEERCRED``). A stale socket left by a killed server is replaced at start; the socket is
removed at shutdown.

A command sent by :mod:`chainbrain.cli.remote` runs in a thread of this process through the same
typer application, so validation, messages and exit status are the command's own. Meanwhile, in
that thread only:

- ``open_store`` of the served file returns a connection of the server's store
  (:func:`chainbrain.web.pool.side_store`, :data:`chainbrain.store.lock.HOSTED`);
- the command holds a connection of the application's pool (:attr:`WebState.lock`), and a command
  that writes also the pool's write lock (:class:`chainbrain.web.pool.Pool`), as the server's own
  writes do, so it never interleaves with them; its transaction commits whole or not at all;
- stdout and stderr are streamed to the caller, stdin and prompts answer from what it sent;
- the audit names ``cli:<peer's OS user>`` (:func:`chainbrain.cli.common.cli_actor`).

When the caller goes away (Ctrl-C) the command's queries are interrupted: its transaction rolls
back. Commands that write data drop the answer cache afterwards (:meth:`WebState.invalidate`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import pwd
import socket
import struct
import sys
import threading
import time

from chainbrain.store.lock import HOSTED, control_path, real
from chainbrain.web.auth import forget_sessions

log = logging.getLogger("chainbrain.web")

_LOCAL = threading.local()               # .session: the _Session this thread runs a command for
MAX_REQUEST = 64 << 20                   # bytes of one request (argv, answers, stdin)
#: commands that only read data: the answer cache stays (every other command drops it)
READS = {("kpi",), ("targets",), ("indicators",), ("alerts",), ("operations",), ("catalog",), ("users", "list"),
         ("export",), ("template",), ("db", "stats"), ("map", "explain")}


class _Session:
    """One command for one caller: where its output goes, what its input is."""

    def __init__(self, conn: socket.socket, answers: list[str], stdin: str):
        self.conn, self.answers, self.stdin = conn, list(answers), io.StringIO(stdin)
        self.gone = self.done = False
        self._send = threading.Lock()

    def send(self, kind: str, value) -> None:
        if self.gone:
            return
        try:
            with self._send:
                self.conn.sendall(json.dumps({kind: value}, ensure_ascii=False).encode() + b"\n")
        except OSError:
            self.gone = True


def _session():
    return getattr(_LOCAL, "session", None)


class _Route(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` / ``sys.stdin``: the caller's in a command thread, else the server's."""

    def __init__(self, kind: str, fallback):
        self.kind, self.fallback = kind, fallback

    @property
    def encoding(self):
        return "utf-8" if _session() else getattr(self.fallback, "encoding", "utf-8")

    @property
    def errors(self):
        return "strict" if _session() else getattr(self.fallback, "errors", "strict")

    def write(self, text):
        if not isinstance(text, str):                  # click tells text from binary streams this way
            raise TypeError("write() argument must be str")
        s = _session()
        if s is None:
            return self.fallback.write(text)
        s.send(self.kind, text)
        return len(text)

    def read(self, size=-1):
        s = _session()
        return self.fallback.read(size) if s is None else s.stdin.read(size)

    def readline(self, size=-1):
        s = _session()
        return self.fallback.readline(size) if s is None else s.stdin.readline(size)

    def flush(self):
        if _session() is None and self.fallback is not None:
            self.fallback.flush()

    def isatty(self):
        return False if _session() else self.fallback.isatty()

    def fileno(self):
        if _session():
            raise io.UnsupportedOperation("fileno")
        return self.fallback.fileno()

    def writable(self):
        return self.kind != "i"

    def readable(self):
        return self.kind == "i"


def _install() -> None:
    """Route the standard streams and click's prompts per thread (once per process)."""
    from chainbrain.cli.remote import _prompt_modules

    for name, kind in (("stdout", "o"), ("stderr", "e"), ("stdin", "i")):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _Route):
            setattr(sys, name, _Route(kind, stream))

    def answered(func):
        def ask(prompt: str) -> str:
            s = _session()
            if s is None:
                return func(prompt)
            if not s.answers:
                raise EOFError                  # click: "Aborted!", status 1
            return s.answers.pop(0)
        return ask

    for termui in _prompt_modules():
        if not getattr(termui, "_chainbrain_routed", False):
            termui.visible_prompt_func = answered(termui.visible_prompt_func)
            termui.hidden_prompt_func = answered(termui.hidden_prompt_func)
            termui._chainbrain_routed = True


def _peer(conn: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end (Linux ``SO_PEERCRED``)."""
    pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                         struct.calcsize("3i")))
    return pid, uid


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _request(conn: socket.socket) -> dict | None:
    buf = b""
    while b"\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk or len(buf) > MAX_REQUEST:
            return None
        buf += chunk
    return json.loads(buf.split(b"\n", 1)[0])


class ControlServer:
    """The control socket of the server whose :class:`~chainbrain.web.state.WebState` is ``state``."""

    def __init__(self, state):
        self.state = state
        self.db = real(state.store.db)
        self.path = control_path(state.store.db)
        self._sock: socket.socket | None = None
        self._ino = None
        self._stop = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._running: list = []               # side stores of the commands running now

    # ------------------------------------------------------------ life
    def start(self) -> "ControlServer":
        """Listen (mode 0600); a socket already there is a dead server's (this process holds the file)."""
        _install()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(str(tmp))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)             # atomically over a stale socket of a killed server
        self._ino = os.stat(self.path).st_ino
        s.listen(16)
        self._sock = s
        threading.Thread(target=self._accept, daemon=True, name="chainbrain-control").start()
        log.info("control socket %s", self.path)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening, remove the socket (if still ours), interrupt and wait for running commands."""
        self._stop.set()
        if self._sock is not None:
            try:
                if os.stat(self.path).st_ino == self._ino:
                    self.path.unlink()
            except OSError:
                pass
            self._sock.close()
        for side in list(self._running):
            side.cancel()
        deadline = time.monotonic() + timeout
        for th in list(self._threads):
            th.join(max(0.0, deadline - time.monotonic()))

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            th = threading.Thread(target=self._serve, args=(conn,), daemon=True, name="chainbrain-control-cmd")
            self._threads.add(th)
            th.start()

    # ------------------------------------------------------------ one caller
    def _serve(self, conn: socket.socket) -> None:
        try:
            pid, uid = _peer(conn)
            if uid not in (os.getuid(), 0):    # the socket is 0600; belt and braces
                log.warning("control socket: refused peer uid %s (pid %s)", uid, pid)
                return
            conn.settimeout(30)                # a caller that connects and says nothing
            req = _request(conn)
            conn.settimeout(None)
            if req is None:
                return
            if req.get("op") == "ping":
                conn.sendall(json.dumps({"pid": os.getpid(), "db": self.db}).encode() + b"\n")
            elif req.get("op") == "run":
                self._run(conn, req, _user(uid))
        except (OSError, ValueError) as exc:
            log.warning("control socket: %s", exc)
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)    # wakes the watcher's recv; the caller sees the end
            except OSError:
                pass
            conn.close()
            self._threads.discard(threading.current_thread())

    def _run(self, conn: socket.socket, req: dict, user: str) -> None:
        session = _Session(conn, req.get("answers") or [], req.get("stdin") or "")
        if real(str(req.get("db", ""))) != self.db:
            session.send("e", f"error: this server serves {self.db}, not {req.get('db')} "
                              f"(该服务所用的数据库文件不是 {req.get('db')})\n")
            session.send("x", 1)
            return
        argv = [str(a) for a in req.get("argv") or []]
        threading.Thread(target=self._watch, args=(conn, session), daemon=True).start()
        t0 = time.perf_counter()
        status, words = self._execute(session, argv, user)
        log.info("control socket: cli:%s ran `chainbrain %s` → exit %s (%.1f s)", user, " ".join(words),
                 status, time.perf_counter() - t0)
        session.done = True
        session.send("x", status)

    def _watch(self, conn: socket.socket, session: _Session) -> None:
        """The caller closed the connection (Ctrl-C): interrupt the command's queries."""
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        if not session.done:
            session.gone = True
            for side in list(getattr(session, "sides", [])):
                side.cancel()

    def _execute(self, session: _Session, argv: list[str], user: str) -> tuple[int, tuple[str, ...]]:
        from chainbrain.cli import app
        from chainbrain.cli.common import PEER_USER
        from chainbrain.cli.remote import command_words
        from chainbrain.config import ConfigError
        from chainbrain.store.lock import StoreLocked
        from chainbrain.web.pool import side_store

        words = command_words(argv)
        session.sides = []

        def own_store():
            side = side_store(self.state.store)
            session.sides.append(side)
            self._running.append(side)
            return side

        hosted, peer = HOSTED.set((self.db, own_store)), PEER_USER.set(user)
        _LOCAL.session = session
        status = 1
        try:
            writes = not any(words[:len(r)] == r for r in READS)
            with self.state.lock, (self.state.pool.write_lock if writes else contextlib.nullcontext()):
                try:
                    app(args=argv, prog_name="chainbrain")
                    status = 0
                except SystemExit as exc:
                    if exc.code is None or isinstance(exc.code, int):
                        status = exc.code or 0
                    else:
                        session.send("e", f"{exc.code}\n")
                except (StoreLocked, ConfigError) as exc:
                    session.send("e", f"error: {exc}\n")
                    status = 2 if isinstance(exc, ConfigError) else 1
                except Exception as exc:       # the program's fault: the trace goes to the server's log
                    log.exception("control socket: `chainbrain %s` failed", " ".join(words))
                    session.send("e", f"error: {type(exc).__name__}: {exc} — see the server's log "
                                      f"(命令执行出错，详见服务日志)\n")
                    status = 1
            if writes:
                self.state.invalidate()        # data written by the command show at once
                forget_sessions(self.state.store)   # a disabled user or changed password ends sessions now
        finally:
            _LOCAL.session = None
            HOSTED.reset(hosted)
            PEER_USER.reset(peer)
            for side in session.sides:
                self._running.remove(side)
                side.close()
        return status, words
