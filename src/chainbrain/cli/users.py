"""``chainbrain users add|list|set|disable|passwd|reset``: web accounts with a role, a data scope and an
optional e-mail.

A password is read from a hidden prompt (typed twice), or with ``--password-stdin`` from the first
line of standard input (for scripts: ``printf '%s\n' "$PW" | chainbrain users passwd wang
--password-stdin``). ``--password VALUE`` also works but is unsafe — the value shows in the shell
history and, while the command runs, in the process list of every local user — and is meant for
tests. Every password must meet the policy of :mod:`chainbrain.web.passwords`.

``reset`` (and ``add`` or ``passwd`` with ``--temporary``) marks the password as temporary: after
signing in with it, the user can only choose a new one (the ``/password`` page,
:mod:`chainbrain.web.password_gate`).
"""

from __future__ import annotations

import json
import os
import sys

import typer

from chainbrain.cli.common import DB
from chainbrain.store import open_store
from chainbrain.store.schema_users import ROLES

app = typer.Typer(help="Web users: roles province_admin|chain_office|city|county|enterprise|viewer|unit.",
                  no_args_is_help=True)


PASSWORD_UNSAFE = "UNSAFE: visible in shell history and the process list; for tests (use --password-stdin)"
PASSWORD_STDIN = "read the password from the first line of standard input"
TEMPORARY = "a temporary password: the user must choose a new one at the next sign-in"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def read_password(password: str | None, from_stdin: bool, username: str | None = None) -> str:
    """The password given by ``--password``, ``--password-stdin`` or a hidden prompt (twice),
    checked against the policy before the store is opened."""
    from chainbrain.web.users import UserError, check_password

    if password is not None and from_stdin:
        _fail("give --password or --password-stdin, not both (--password 与 --password-stdin 只能选一个)")
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            _fail("no password on standard input (标准输入中没有密码)")
    elif password is None:
        password = typer.prompt("password (密码)", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password, username)
    except UserError as exc:
        _fail(str(exc))
    return password


def _audit(store, action: str, **detail) -> None:
    from chainbrain.cli.common import cli_actor
    from chainbrain.web.auth import audit

    audit(store, cli_actor(), action, **detail)


@app.command()
def add(db: str = DB,
        username: str = typer.Option(..., "--username", help="login name"),
        role: str = typer.Option(..., "--role", help=" | ".join(ROLES)),
        region: str = typer.Option(None, "--region", help="city (prefecture) or county code for city/county users"),
        chain: str = typer.Option(None, "--chain", help="chain code for chain_office users"),
        uscc: str = typer.Option(None, "--uscc", help="USCC for enterprise users"),
        unit: str = typer.Option(None, "--unit", help="unit code (pack work/units.csv) for unit users"),
        password: str = typer.Option(None, "--password", help=PASSWORD_UNSAFE),
        password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_STDIN),
        temporary: bool = typer.Option(False, "--temporary", help=TEMPORARY),
        email: str = typer.Option(None, "--email", help="e-mail address for notifications (optional; [mail] in "
                                                         "chainbrain.toml)")):
    """Create a user; the password (prompted when not given) is stored as an argon2id hash."""
    from chainbrain.web.users import UserError, add_user, check_email

    try:
        check_email(email)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    password = read_password(password, password_stdin, username)
    with open_store(db) as store:
        try:
            user = add_user(store, username, password, role, region=region, chain=chain, uscc=uscc, unit=unit,
                            email=email, must_change=temporary)
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        _audit(store, "edit", object="user", op="add", username=user.username, role=user.role, scope=user.scope,
               temporary=temporary)
    typer.echo(f"user {user.username} ({user.scope}) created")


@app.command("list")
def list_cmd(db: str = DB, as_json: bool = typer.Option(False, "--json", help="JSON instead of a table")):
    """All users with role, scope and status (never passwords)."""
    from chainbrain.web.users import list_users

    with open_store(db) as store:
        rows = list_users(store)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        scope = r["region_code"] or r["chain_code"] or r["uscc"] or r.get("unit_code") or ""
        typer.echo(f"{r['id']:>4}  {r['username']:<20} {r['role']:<15} {scope:<18} "
                   f"{'disabled' if r['disabled'] else 'active':<8} {r['email'] or ''}"
                   f"{'  (must change password)' if r['must_change_password'] else ''}".rstrip())


@app.command("set")
def set_cmd(username: str = typer.Argument(..., help="user to change"), db: str = DB,
            email: str = typer.Option(..., "--email", help='e-mail address for notifications ("" clears it)')):
    """Change a user's e-mail address (validated; "" removes it)."""
    from chainbrain.web.users import UserError, set_email

    with open_store(db) as store:
        try:
            found = set_email(store, username, email)
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if not found:
            typer.echo(f"error: no user {username!r} (无此用户)", err=True)
            raise typer.Exit(2)
        _audit(store, "edit", object="user", op="set", username=username, email=email or None)
    typer.echo(f"user {username}: email {email or '(none)'}")


@app.command()
def disable(username: str = typer.Argument(..., help="user to disable"), db: str = DB,
            enable: bool = typer.Option(False, "--enable", help="re-enable instead")):
    """Disable a user (their sessions end at once); ``--enable`` undoes it."""
    from chainbrain.web.users import set_disabled

    with open_store(db) as store:
        if not set_disabled(store, username, not enable):
            typer.echo(f"error: no user {username!r} (无此用户)", err=True)
            raise typer.Exit(2)
        _audit(store, "edit", object="user", op="enable" if enable else "disable", username=username)
    typer.echo(f"user {username} {'enabled' if enable else 'disabled'}")


@app.command()
def passwd(username: str = typer.Argument(..., help="user whose password changes"), db: str = DB,
           password: str = typer.Option(None, "--password", help=PASSWORD_UNSAFE),
           password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_STDIN),
           temporary: bool = typer.Option(False, "--temporary", help=TEMPORARY)):
    """Set a user's password (prompted, hidden, twice); the user's sessions end."""
    from chainbrain.web.users import set_password

    password = read_password(password, password_stdin, username)
    with open_store(db) as store:
        if not set_password(store, username, password, must_change=temporary):
            _fail(f"no user {username!r} (无此用户)")
        _audit(store, "edit", object="user", op="passwd", username=username, temporary=temporary)
    typer.echo(f"user {username}: password changed, sessions ended")


@app.command()
def reset(username: str = typer.Argument(..., help="user whose password is replaced"), db: str = DB,
          output: str = typer.Option(None, "--output", "-o",
                                     help="write the new password to this new file (mode 0600) instead of printing it")):
    """Replace a user's password with a random one, shown once (or written to a 0600 file); the
    user's sessions end. Hand it over privately: at the next sign-in the user must choose a new one
    (the ``/password`` page) before anything else."""
    from chainbrain.web.users import new_password, set_password

    password = new_password()
    fd = None
    if output:
        try:                                    # created now, owner-only, never over an existing file
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            _fail(f"{output}: cannot create the file: {exc.strerror} (无法创建文件)")
    try:
        with open_store(db) as store:
            if not set_password(store, username, password, must_change=True):
                _fail(f"no user {username!r} (无此用户)")
            _audit(store, "edit", object="user", op="reset", username=username, must_change=True)
    except BaseException:
        if fd is not None:
            os.close(fd)
            os.unlink(output)
        raise
    if fd is not None:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(password + "\n")
        typer.echo(f"user {username}: new password written to {output} (mode 0600), sessions ended; "
                   f"it must be changed at the next sign-in")
    else:
        typer.echo(f"user {username}: new password (shown once, to be changed at the next sign-in): {password}")
