"""The command line beside a running server: a command whose DuckDB file a server holds runs *in* it.

``chainbrain kpi --db data/demo.duckdb …`` while ``chainbrain serve --db data/demo.duckdb`` runs:
opening the file fails with DuckDB's lock error (:class:`~chainbrain.store.lock.StoreLocked`).
:func:`forward` then sends the command to the server's control socket (``<db>.sock``, mode 0600;
:mod:`chainbrain.web.control`): the argument list (paths made absolute, so the server reads and
writes the same files), the answers already given to prompts and what was read from stdin. The
server runs the same command function on its own connection under its lock — same validation,
audit (``cli:<OS user>``) and all-or-nothing transaction — and streams back stdout, stderr and the
exit status, which this process reproduces.

Protocol: one JSON line each way to open (``{"op": "run"|"ping", …}``), then JSON lines
``{"o": text}`` (stdout), ``{"e": text}`` (stderr) and finally ``{"x": status}``.

When no server answers, or the command cannot run beside a server (``serve``, ``demo``,
``db init|upgrade|restore`` change the file under it), one bilingual line says what holds the file
and what to do; the exit status is 1.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from chainbrain.store.lock import StoreLocked, control_path, real

#: commands that must not run inside a server (they replace or migrate the file it serves)
REFUSED = (("serve",), ("demo",), ("db", "init"), ("db", "upgrade"), ("db", "restore"))

#: answers given to prompts and text read from stdin by this process (sent along with the command)
ANSWERS: list[str] = []
STDIN: list[str] = []


# ------------------------------------------------------------------ recording (before the store opens)
class _RecordingStdin:
    """``sys.stdin`` that keeps what the command read, for the server to read it again."""

    def __init__(self, stream):
        self._stream = stream

    def read(self, *args):
        text = self._stream.read(*args)
        STDIN.append(text)
        return text

    def readline(self, *args):
        text = self._stream.readline(*args)
        STDIN.append(text)
        return text

    def readlines(self, *args):
        lines = self._stream.readlines(*args)
        STDIN.extend(lines)
        return lines

    def __iter__(self):
        return iter(self.readline, "")

    def __getattr__(self, name):
        return getattr(self._stream, name)


def record() -> None:
    """Keep prompt answers (click's prompt functions) and stdin reads of this process."""
    def recorded(func):
        def ask(prompt: str) -> str:
            answer = func(prompt)
            ANSWERS.append(answer)
            return answer
        return ask

    for termui in _prompt_modules():
        if not getattr(termui, "_chainbrain_recorded", False):
            termui.visible_prompt_func = recorded(termui.visible_prompt_func)
            termui.hidden_prompt_func = recorded(termui.hidden_prompt_func)
            termui._chainbrain_recorded = True
    if sys.stdin is not None and not isinstance(sys.stdin, _RecordingStdin):
        sys.stdin = _RecordingStdin(sys.stdin)


# ------------------------------------------------------------------ arguments
def _command(argv: list[str]):
    """(the command ``argv`` names, index of its first own argument)."""
    import typer.main

    from chainbrain.cli import app

    cmd, i = typer.main.get_command(app), 0
    while hasattr(cmd, "commands") and i < len(argv) and argv[i] in cmd.commands:
        cmd, i = cmd.commands[argv[i]], i + 1
    return cmd, i


def _is_path(annotation) -> bool:
    import typing
    from pathlib import PurePath

    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return True
    return any(_is_path(a) for a in typing.get_args(annotation))


def _pathish(param) -> bool:
    """A file parameter: annotated ``Path`` (or ``Optional[Path]``, a typer file) or ``--db``."""
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and (_is_path(desc.annotation) or desc.file_annotation is not None):
        return True
    from_click = type(getattr(param, "type", None)).__name__ in ("Path", "File")
    return from_click or param.name == "db"


def _prompt_modules():
    """click's prompt functions: typer's own copy of click and click itself."""
    import importlib

    for name in ("typer._click.termui", "click.termui"):
        try:
            yield importlib.import_module(name)
        except ImportError:
            continue


def _absolute(value: str, cwd: str) -> str:
    if value in ("-", ":memory:") or "://" in value:
        return value
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(value)))


def absolutize(argv: list[str], cwd: str) -> list[str]:
    """``argv`` with every file argument (click ``Path`` parameters and ``--db``) made absolute
    against ``cwd``: the server's working directory is not the command's."""
    cmd, i = _command(argv)
    out = list(argv)
    params = getattr(cmd, "params", [])
    opts = {o: p for p in params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    args = [p for p in params if p.param_type_name == "argument"]
    pos, only_args = 0, False
    while i < len(out):
        tok = out[i]
        if tok == "--" and not only_args:
            only_args, i = True, i + 1
            continue
        if tok.startswith("-") and len(tok) > 1 and not only_args:
            name, eq, value = tok.partition("=")
            p = opts.get(name)
            if p is None or p.is_flag or p.count:
                i += 1
                continue
            if eq:
                if _pathish(p):
                    out[i] = f"{name}={_absolute(value, cwd)}"
                i += 1
                continue
            if i + 1 < len(out) and _pathish(p):
                out[i + 1] = _absolute(out[i + 1], cwd)
            i += 2
            continue
        if args:
            p = args[min(pos, len(args) - 1)]
            if _pathish(p):
                out[i] = _absolute(tok, cwd)
            if p.nargs != -1:
                pos += 1
        i += 1
    return out


def command_words(argv: list[str]) -> tuple[str, ...]:
    """The command's name words: ``("import", "monthly")`` for ``import monthly f.csv --db …``."""
    _, i = _command(argv)
    return tuple(argv[:i])


# ------------------------------------------------------------------ the socket
def _connect(db: str, timeout: float | None = 5.0) -> socket.socket | None:
    """A connection to the control socket of the server holding ``db``, or None (none answers)."""
    path = control_path(db)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(path))
    except OSError:                            # no socket, a stale one (server killed), not ours
        s.close()
        return None
    return s


def _lines(s: socket.socket):
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield json.loads(line)


def ping(db: str) -> dict | None:
    """``{"pid", "db"}`` of the ChainBrain server holding ``db``, or None when none answers."""
    s = _connect(db)
    if s is None:
        return None
    try:
        s.sendall(json.dumps({"op": "ping"}).encode() + b"\n")
        return next(_lines(s), None)
    except (OSError, ValueError):
        return None
    finally:
        s.close()


def _refused(words: tuple[str, ...]) -> bool:
    return any(words[:len(r)] == r for r in REFUSED)


def forward(locked: StoreLocked, argv: list[str]) -> int:
    """Run ``argv`` in the server holding ``locked.db``; its exit status (1 and one line when no server)."""
    words = command_words(argv)
    info = ping(locked.db)
    if info is None:
        _say(locked.message())
        return 1
    pid = info.get("pid")
    if _refused(words):
        name = " ".join(words)
        _say(f"{locked.db} is served by a running ChainBrain server (PID {pid}): stop it to run "
             f"`chainbrain {name}` (该文件正由运行中的 ChainBrain 服务（PID {pid}）使用：请先停止服务再执行 {name})")
        return 1
    s = _connect(locked.db, timeout=None)
    if s is None:
        _say(locked.message())
        return 1
    request = {"op": "run", "db": real(locked.db), "argv": absolutize(argv, os.getcwd()),
               "answers": ANSWERS, "stdin": "".join(STDIN)}
    status = None
    try:
        s.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        for msg in _lines(s):
            if "o" in msg:
                sys.stdout.write(msg["o"])
                sys.stdout.flush()
            elif "e" in msg:
                sys.stderr.write(msg["e"])
                sys.stderr.flush()
            elif "x" in msg:
                status = msg["x"]
    except BrokenPipeError:                    # our own stdout closed (`| head`): stop quietly
        return 1
    except KeyboardInterrupt:                 # closing the socket cancels the command in the server
        s.close()
        _say("interrupted: the server cancels the command (已中断：服务端取消该命令，未完成的写入不会保留)")
        return 130
    except (OSError, ValueError) as exc:
        _say(f"the server (PID {pid}) stopped answering: {exc} (服务端中途无应答；未完成的写入不会保留)")
        return 1
    finally:
        s.close()
    if status is None:
        _say(f"the server (PID {pid}) closed the connection before the command ended "
             f"(服务端在命令结束前断开连接；未完成的写入不会保留)")
        return 1
    return int(status)


def _say(line: str) -> None:
    sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()
