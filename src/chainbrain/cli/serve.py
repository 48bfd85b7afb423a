"""``chainbrain serve``: run the web UI and JSON API with uvicorn (settings: :mod:`chainbrain.config`)."""

from __future__ import annotations

import os

import typer


def serve(
    db: str = typer.Option(None, "--db", help="DuckDB file or postgresql:// URL [default: $CHAINBRAIN_DB, "
                                              "the configuration file's store.url, data/chainbrain.duckdb]"),
    host: str = typer.Option(None, "--host", help="interface to listen on [default: config, 127.0.0.1]"),
    port: int = typer.Option(None, "--port", help="TCP port [default: config, 8000]"),
    public_aggregates: bool = typer.Option(None, "--public-aggregates/--no-public-aggregates",
                                           help="show aggregate figures without sign-in (the demo does)"),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="worker processes (PostgreSQL only) [default: config, 1]"),
    config: str = typer.Option(None, "--config", help="configuration file [default: $CHAINBRAIN_CONFIG, "
                                                      "./chainbrain.toml, /etc/chainbrain/chainbrain.toml]"),
    trusted_proxy: list[str] = typer.Option(None, "--trusted-proxy", metavar="CIDR",
                                            help="a reverse proxy (address or CIDR network) whose X-Forwarded-For "
                                                 "and -Proto are believed; repeatable [default: config, none]"),
    secure_cookies: bool = typer.Option(None, "--secure-cookies/--no-secure-cookies",
                                        help="served over HTTPS: Secure __Host- cookies and HSTS [default: config, off]"),
    pool: int = typer.Option(None, "--pool", min=1,
                             help="database connections computing answers at once, per worker process "
                                  "[default: $CHAINBRAIN_COMPUTE_POOL, else one per core, 2 to 4]"),
):
    """Serve the cockpit at http://HOST:PORT/ until Ctrl-C or SIGTERM (offline: all assets are local)."""
    import uvicorn

    from chainbrain.config import load_settings
    from chainbrain.store.engine import is_postgres, redact
    from chainbrain.web.logs import log_config

    if config:
        os.environ["CHAINBRAIN_CONFIG"] = config
    if trusted_proxy:
        from chainbrain.web.proxies import parse

        try:
            parse(trusted_proxy)
        except ValueError as exc:
            typer.echo(f"error: --trusted-proxy: {exc}", err=True)
            raise typer.Exit(2) from None
    # what the options say wins; the worker processes read it back from the environment
    env = {"CHAINBRAIN_DB": db, "CHAINBRAIN_PUBLIC_AGGREGATES": public_aggregates, "CHAINBRAIN_WORKERS": workers,
           "CHAINBRAIN_SECURE_COOKIES": secure_cookies, "CHAINBRAIN_COMPUTE_POOL": pool,
           "CHAINBRAIN_TRUSTED_PROXIES": ",".join(trusted_proxy) if trusted_proxy else None}
    os.environ.update({k: str(v) for k, v in env.items() if v is not None})
    cfg = load_settings()                      # a bad value: one line (chainbrain.cli.main)
    from chainbrain.web.admission import check_environment

    check_environment()                        # the admission and threading variables, the same way
    host, port = host or cfg.host, port or cfg.port
    if cfg.workers > 1 and not is_postgres(cfg.db):
        typer.echo(f"error: --workers {cfg.workers} needs PostgreSQL: a DuckDB file allows one process "
                   f"(多进程仅支持 PostgreSQL：DuckDB 文件只允许一个进程打开)", err=True)
        raise typer.Exit(2)
    if not is_postgres(cfg.db):
        _refuse_if_held(cfg.db)
    typer.echo(f"ChainBrain 产业链大脑: http://{host}:{port}{cfg.root_path}/  (db: {redact(cfg.db)}; "
               f"public aggregates: {'on' if cfg.public_aggregates else 'off'}; workers: {cfg.workers}; "
               f"secure cookies: {'on' if cfg.secure_cookies else 'off'}; "
               f"trusted proxies: {', '.join(cfg.trusted_proxies) or 'none'}"
               f"{'; config: ' + cfg.source if cfg.source else ''}) — Ctrl-C to stop")
    _exit_zero_after_a_graceful_stop()
    uvicorn.run("chainbrain.web.app:app_from_settings", factory=True, host=host, port=port,
                workers=cfg.workers, root_path=cfg.root_path, proxy_headers=bool(cfg.trusted_proxies),
                forwarded_allow_ips=",".join(cfg.trusted_proxies) or None, log_level=cfg.log_level,
                access_log=cfg.access_log != "off", log_config=log_config(cfg.access_log),
                timeout_graceful_shutdown=10)


def _exit_zero_after_a_graceful_stop() -> None:
    """uvicorn stops gracefully on SIGTERM/SIGINT, then raises the signal again under the handler it found:
    with Python's defaults the process dies of it (exit 143) or prints "Aborted!" (exit 1). A handler that
    only notes the signal lets ``serve`` return, so a stop asked for is a clean exit 0 (systemd, docker)."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)


def _refuse_if_held(db: str) -> None:
    """One line and exit 2 when another process (another server) holds the DuckDB file."""
    from chainbrain.cli.remote import ping
    from chainbrain.store import open_store
    from chainbrain.store.lock import StoreLocked

    try:
        open_store(db).close()
    except StoreLocked as exc:
        info = ping(db)
        if info is None:
            typer.echo(f"error: {exc}", err=True)
        else:
            pid = info.get("pid")
            typer.echo(f"error: {db} is already served by a ChainBrain server (PID {pid}); stop it first or "
                       f"serve another --db; commands of the command line run through it "
                       f"(该文件已由另一 ChainBrain 服务（PID {pid}）提供服务：请先停止它或换用其他 --db；"
                       f"命令行命令可经由该服务执行)", err=True)
        raise typer.Exit(2) from None
