"""A throwaway PostgreSQL server for tests (and dev), started as the ``postgres`` user.

``initdb``/``pg_ctl`` refuse to run as root, so when we are root the cluster
lives in a temp dir owned by ``postgres`` and the binaries run through
``runuser -u postgres``. The server listens on loopback on a free port and is
stopped (and its directory removed) by :meth:`PGServer.stop`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found; run `make test` (it installs them)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PGServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = _free_port()
        self.root = tempfile.mkdtemp(prefix="cb-pg-")
        self.datadir = os.path.join(self.root, "data")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o700)

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.root)

    def start(self) -> "PGServer":
        self._run(f"{self.bindir}/initdb", "-D", self.datadir, "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._ctl("start")
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off " \
               "-c synchronous_commit=off -c full_page_writes=off"
        self._run(f"{self.bindir}/pg_ctl", "-D", self.datadir, "-o", opts,
                  "-l", os.path.join(self.root, "log"), "-w", *extra, action)

    def restart(self) -> None:
        """Restart the server (fast shutdown: every client connection is cut)."""
        self._ctl("restart", "-m", "fast")

    def halt(self) -> None:
        """Stop the server but keep its data (``start_again`` brings it back)."""
        self._run(f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop")

    def start_again(self) -> None:
        self._ctl("start")

    @property
    def socket_dir(self) -> str:
        return self.root

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


if __name__ == "__main__":  # dev helper: start one and print its URL
    srv = PGServer().start()
    print(srv.url(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
