"""One command line: ``chainbrain catalog|db|demo|kpi|serve``."""

from __future__ import annotations

import typer

from chainbrain.cli import advantage, catalog, db, demo, ingest, kpi, monitor, serve, targets, users

app = typer.Typer(help="ChainBrain 产业链大脑 — industrial-chain program platform.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(catalog.app, name="catalog")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.command("kpi")(kpi.kpi)
app.command("targets")(targets.targets)
app.add_typer(advantage.app, name="advantage")
app.command("serve")(serve.serve)
app.add_typer(ingest.import_app, name="import")
app.command("template")(ingest.template)
app.add_typer(ingest.map_app, name="map")
app.add_typer(ingest.export_app, name="export")
monitor.register(app)
__import__("chainbrain.cli.operations", fromlist=["register"]).register(app)   # 运行分析
app.add_typer(users.app, name="users")
app.add_typer(__import__("chainbrain.cli.work", fromlist=["app"]).app, name="work")   # 工作体系
app.add_typer(__import__("chainbrain.cli.io", fromlist=["app"]).app, name="io")   # 投入产出
__import__("chainbrain.cli.io", fromlist=["register_import"]).register_import(ingest.import_app)
app.add_typer(__import__("chainbrain.cli.supply", fromlist=["app"]).app, name="supply")   # 供应链
app.add_typer(__import__("chainbrain.cli.attract", fromlist=["app"]).app, name="attract")   # 补链 · 精准招商
__import__("chainbrain.cli.supply_graph", fromlist=["register"]).register(__import__("chainbrain.cli.supply", fromlist=["app"]).app)   # 供应链图
app.add_typer(__import__("chainbrain.cli.report", fromlist=["app"]).app, name="report")   # 分析报告
app.add_typer(__import__("chainbrain.cli.cultivate", fromlist=["app"]).app, name="cultivate")   # 优质中小企业梯度培育
app.add_typer(__import__("chainbrain.cli.clusters", fromlist=["app"]).app, name="clusters")   # 先进制造业集群 (#17)
app.add_typer(__import__("chainbrain.cli.clusters", fromlist=["app"]).app, name="cluster", hidden=True)   # alias
app.add_typer(__import__("chainbrain.cli.library", fromlist=["app"]).app, name="library")   # 企业库
app.add_typer(__import__("chainbrain.cli.digital", fromlist=["app"]).app, name="digital")   # 智改数转网联
app.add_typer(__import__("chainbrain.cli.audit", fromlist=["app"]).app, name="audit")   # 审计日志 (#20)
app.add_typer(__import__("chainbrain.cli.lake", fromlist=["app"]).app, name="lake")   # 数据湖 (Spark, #21)


def main() -> None:
    """The ``chainbrain`` command. A DuckDB file held by a running server: the command runs in that
    server through its control socket (:mod:`chainbrain.cli.remote`), or one line says what holds it."""
    import sys

    from chainbrain.cli import remote
    from chainbrain.config import ConfigError
    from chainbrain.store.lock import StoreLocked

    from chainbrain.store import engine
    from chainbrain.store.engine import StoreMissing

    remote.record()                            # prompt answers and stdin travel with a forwarded command
    engine.CREATE_MISSING = creates_store(sys.argv[1:])     # a mistyped --db is refused, not created empty
    try:
        app()
    except StoreMissing as exc:                # one line, no traceback
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except ConfigError as exc:                 # one line, no traceback (configuration file or variable)
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except StoreLocked as exc:                 # a server (or another process) holds the DuckDB file
        raise SystemExit(remote.forward(exc, sys.argv[1:])) from None
    except Exception as exc:
        table = missing_table(exc)
        if table is None:
            raise
        typer.echo(f"error: the store has no table {table!r}: it is new or of an older version; run "
                   f"`chainbrain db init --db …` (a new store) or `chainbrain db upgrade --db …` first "
                   f"(数据库中没有数据表 {table}：新库请先运行 db init，旧版本请先运行 db upgrade)", err=True)
        raise SystemExit(2) from None


#: the commands that create a store when its DuckDB file does not exist (every other one refuses it)
CREATORS = (("db", "init"), ("demo", "build"))


def creates_store(args: list[str]) -> bool:
    """Whether the command line ``args`` runs a command of :data:`CREATORS`."""
    words = [a for a in args if not a.startswith("-")][:2]
    return tuple(words) in CREATORS


def missing_table(exc: BaseException) -> str | None:
    """The table a store lacks when ``exc`` (or what caused it) says so — DuckDB's catalog error or
    PostgreSQL's undefined table — else None."""
    import re

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc)
        m = re.search(r"Table with name (\w+) does not exist", text) or \
            re.search(r'relation "(\w+)" does not exist', text)
        if m:
            return m.group(1)
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return None
