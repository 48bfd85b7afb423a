"""E-mail copies of inbox notifications over SMTP — off by default, nothing leaves the server.

Settings: ``[mail]`` of chainbrain.toml (:mod:`chainbrain.config`; ``enabled = false`` unless
set; the password is read from the environment variable *named* by ``password_env``, never
from the file).

The rule, in two steps so that no mail is ever sent from inside a transaction:

1. :func:`chainbrain.work.inbox.notify`, in the caller's transaction, marks each message whose
   recipient has an ``email`` ``mail_state = 'pending'`` when mail is enabled (``NULL``
   otherwise: never mailed, also not later).
2. :func:`dispatch` runs after the transaction has committed — the web server after every
   state-changing request (``web/app.py``), ``chainbrain work tick`` and the server's timer
   after their jobs. It claims the pending messages (``pending`` → ``sending`` in one UPDATE,
   so two processes never send one message twice; a rolled-back message was never written
   and is never sent), sends each as one plain-text mail in Chinese to the recipient's
   address, and records ``sent`` with ``mail_sent_at``, or ``failed`` with ``mail_error``
   (also logged as a warning). A failure is never raised to the caller; a failed message is
   not retried.

Mail: subject ``【产业链大脑】`` + the notice's Chinese part (before `` / ``), at most 80
characters; body: the notice, the link path (after ``base_url`` when set) and a footer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
from contextlib import nullcontext
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa

from chainbrain.store.schema_users import user_account as ua
from chainbrain.store.schema_work import inbox_message as im

log = logging.getLogger("chainbrain.mail")
SUBJECT_PREFIX = "【产业链大脑】"


def settings():
    """The current :class:`chainbrain.config.Settings` (None when the configuration is unreadable)."""
    from chainbrain.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError:
        log.warning("configuration unreadable: e-mail is off")
        return None


def enabled() -> bool:
    s = settings()
    return bool(s and s.mail_enabled)


def compose(text: str, link: str | None, to: str, cfg) -> EmailMessage:
    """The mail for one notice (module docstring)."""
    first = [ln.strip() for ln in (text or "").split(" / ")[0].splitlines() if ln.strip()]
    head = first[0] if first else "工作通知"
    subject = SUBJECT_PREFIX + (head if len(head) <= 80 else head[:79] + "…")
    lines = ["您好：", "", "产业链大脑有一条新的工作通知：", "", text, ""]
    if link:
        lines += [f"查看详情：{(cfg.mail_base_url or '').rstrip('/')}{link}", ""]
    lines += ["——", "本邮件由产业链大脑自动发送，请勿直接回复；全部通知见系统内「消息」。"]
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.mail_from
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=(cfg.mail_from.rpartition("@")[2].strip(" >") or "localhost"))
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def _connect(cfg) -> smtplib.SMTP:
    smtp = smtplib.SMTP(cfg.mail_host, int(cfg.mail_port), timeout=float(cfg.mail_timeout_s))
    try:
        smtp.ehlo()
        if cfg.mail_starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if cfg.mail_username:
            password = os.environ.get(cfg.mail_password_env or "") if cfg.mail_password_env else None
            if password is None:
                raise smtplib.SMTPException(f"password variable {cfg.mail_password_env or '(password_env unset)'} "
                                            "is not set (未设置邮件密码环境变量)")
            smtp.login(cfg.mail_username, password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _record(store, lock, results: dict[int, str | None]) -> None:
    at = dt.datetime.now().replace(microsecond=0)
    with lock or nullcontext(), store.begin() as conn:
        for mid, error in results.items():
            values = {"mail_state": "sent", "mail_sent_at": at, "mail_error": None} if error is None else \
                {"mail_state": "failed", "mail_error": error[:500]}
            conn.execute(im.update().where(im.c.id == mid).values(**values))


def dispatch(store, lock=None) -> dict:
    """Send the pending messages (module docstring); ``lock`` (e.g. the web state's) is held only
    while the store is read and written, not while mail is sent. Returns ``{"sent": n, "failed": m}``;
    never raises."""
    cfg = settings()
    if cfg is None or not cfg.mail_enabled:
        return {"sent": 0, "failed": 0}
    try:
        with lock or nullcontext(), store.begin() as conn:
            claimed = conn.execute(im.update().where(im.c.mail_state == "pending").values(mail_state="sending")
                                   .returning(im.c.id, im.c.user_id, im.c.text, im.c.link)).all()
            emails = {}
            if claimed:
                emails = {int(r.id): r.email for r in conn.execute(
                    sa.select(ua.c.id, ua.c.email).where(ua.c.id.in_({int(c.user_id) for c in claimed})))}
    except Exception:
        log.exception("mail: pending notifications could not be read")
        return {"sent": 0, "failed": 0}
    if not claimed:
        return {"sent": 0, "failed": 0}
    results: dict[int, str | None] = {}
    smtp = None
    try:
        smtp = _connect(cfg)
    except Exception as exc:                 # server down, refused, TLS or login failure: every message fails
        err = f"{type(exc).__name__}: {exc}"
        log.warning("mail: cannot connect or sign in to %s:%s — %s", cfg.mail_host, cfg.mail_port, err)
        results = {int(c.id): err for c in claimed}
    if smtp is not None:
        try:
            for c in sorted(claimed, key=lambda c: int(c.id)):
                to = emails.get(int(c.user_id))
                if not to:
                    results[int(c.id)] = "recipient has no e-mail address (收件人无电子邮件地址)"
                    continue
                try:
                    smtp.send_message(compose(c.text, c.link, to, cfg))
                    results[int(c.id)] = None
                except Exception as exc:
                    results[int(c.id)] = f"{type(exc).__name__}: {exc}"
                    log.warning("mail: notification %s to %s failed — %s", c.id, to, results[int(c.id)])
        finally:
            try:
                smtp.quit()
            except Exception:
                smtp.close()
    try:
        _record(store, lock, results)
    except Exception:
        log.exception("mail: the outcome of %d notifications could not be recorded", len(results))
    failed = sum(e is not None for e in results.values())
    return {"sent": len(results) - failed, "failed": failed}
