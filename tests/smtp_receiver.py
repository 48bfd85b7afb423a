"""A real SMTP server for tests: a ``socketserver`` thread on 127.0.0.1 that speaks enough of
RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT, and AUTH PLAIN
with an initial response, RFC 4616) for ``smtplib`` and keeps every message it accepts and every
(user, password) it was given (``logins``); no STARTTLS.

    with SMTPReceiver() as rx:          # rx.port
        ...
        rx.messages                     # [(mail_from, [rcpt, ...], email.message.EmailMessage)]
"""

from __future__ import annotations

import base64
import email
import email.policy
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode("ascii"))

    def handle(self) -> None:
        rx = self.server.receiver
        self._say("220 localhost test SMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._say("250-localhost")
                self._say("250-8BITMIME")
                self._say("250-AUTH PLAIN")
                self._say("250 SMTPUTF8")
            elif verb == "HELO":
                self._say("250 localhost")
            elif verb == "MAIL":
                mail_from, rcpts = line.split(":", 1)[1].split()[0].strip("<>"), []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpts.append(line.split(":", 1)[1].split()[0].strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                body = []
                while True:
                    d = self.rfile.readline()
                    if d in (b".\r\n", b".\n", b""):
                        break
                    body.append(d[1:] if d.startswith(b"..") else d)
                msg = email.message_from_bytes(b"".join(body), policy=email.policy.default)
                with rx.lock:
                    rx.messages.append((mail_from, rcpts, msg))
                self._say("250 OK queued")
            elif verb == "AUTH" and line.split()[1].upper() == "PLAIN" and len(line.split()) == 3:
                _, user, password = base64.b64decode(line.split()[2]).decode("utf-8").split("\0")
                with rx.lock:
                    rx.logins.append((user, password))
                self._say("235 2.7.0 authenticated")
            elif verb in ("RSET", "NOOP"):
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPReceiver:
    def __init__(self) -> None:
        self.messages: list = []
        self.logins: list = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SMTPReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
