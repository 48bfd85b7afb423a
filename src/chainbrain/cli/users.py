"""``chainbrain users add|list|set|disable``: web accounts with a role, a data scope and an optional e-mail."""

from __future__ import annotations

import json

import typer

from chainbrain.cli.common import DB
from chainbrain.store import open_store
from chainbrain.store.schema_users import ROLES

app = typer.Typer(help="Web users: roles province_admin|chain_office|city|county|enterprise|viewer|unit.",
                  no_args_is_help=True)


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
        password: str = typer.Option(None, "--password", help="prompted (hidden, twice) when not given"),
        email: str = typer.Option(None, "--email", help="e-mail address for notifications (optional; [mail] in "
                                                         "chainbrain.toml)")):
    """Create a user; the password is stored as an argon2id hash."""
    from chainbrain.web.users import UserError, add_user, check_email

    try:
        check_email(email)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if password is None:
        password = typer.prompt("password (密码)", hide_input=True, confirmation_prompt=True)
    with open_store(db) as store:
        try:
            user = add_user(store, username, password, role, region=region, chain=chain, uscc=uscc, unit=unit,
                            email=email)
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        _audit(store, "edit", object="user", op="add", username=user.username, role=user.role, scope=user.scope)
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
                   f"{'disabled' if r['disabled'] else 'active':<8} {r['email'] or ''}".rstrip())


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
