"""``chainbrain demo build``: write the calibrated synthetic province into a store."""

from __future__ import annotations

from enum import Enum

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainbrain.cli.common import DB
from chainbrain.store.engine import redact

app = typer.Typer(help="Build the calibrated demo province (synthetic data).", no_args_is_help=True)

STEP_LABELS = {
    "catalog": "catalog 目录 (migrations + pack)",
    "population": "population 企业群体",
    "calibration": "calibration 校准",
}


@app.callback()
def main() -> None:
    """Build the calibrated demo province (synthetic data, 合成演示数据)."""


class Scale(str, Enum):
    tiny = "tiny"
    province = "province"
    national = "national"


class _RichSteps:
    """Adapter from the build's (step, advance, total) callbacks to rich progress bars."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def __call__(self, step: str, advance: float = 0, total: float | None = None) -> None:
        key = "write" if step.startswith("write ") else step
        if key not in self.tasks:
            label = "write 写入 " if key == "write" else STEP_LABELS.get(key, key)
            self.tasks[key] = self.progress.add_task(label, total=total)
            for other in self.tasks.values():       # earlier steps are done
                if other != self.tasks[key]:
                    t = self.progress.tasks[other]
                    if t.total is not None:
                        self.progress.update(other, completed=t.total)
        task = self.tasks[key]
        if key == "write":
            self.progress.update(task, description=f"write 写入 {step[6:]}", advance=advance)
        elif total is not None:
            self.progress.update(task, total=total, advance=advance)
        else:
            self.progress.update(task, advance=advance)


@app.command()
def build(db: str = DB,
          scale: Scale = typer.Option(Scale.province, "--scale", help="tiny (tests), province (calibrated), "
                                      "national (~500k above-scale, cached as Parquet)"),
          seed: int = typer.Option(2023, "--seed", help="random seed; the same seed gives the same data"),
          force: bool = typer.Option(False, "--force", help="delete earlier demo rows first if the store has data"),
          pack: str = typer.Option(None, "--pack", help="province pack name or folder (default: jiangxi)")):
    """Build a realistic synthetic province into the store (every row is marked as demo data)."""
    from chainbrain.demo import DemoExistsError, build_demo
    from chainbrain.store import open_store

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with open_store(db) as store, Progress(*columns, console=console, transient=False) as progress:
            result = build_demo(store, scale=scale.value, seed=seed, force=force, progress=_RichSteps(progress),
                                pack_name=pack)
    except DemoExistsError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1)

    out = Console()
    table = Table(title=f"demo build → {redact(result.db)}  (scale={result.scale}, seed={result.seed}, "
                        f"batch {result.batch_id})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in result.rows.items():
        table.add_row(name, f"{n:,}")
    table.add_row("[bold]total[/bold]", f"[bold]{sum(result.rows.values()):,}[/bold]")
    out.print(table)
    if result.growth:
        out.print("comparable growth of above-scale revenue (可比口径增速): "
                  + ", ".join(f"{y} {g:+.1%}" for y, g in sorted(result.growth.items())))
    if result.work_requests:
        out.print("enterprise requests (企业诉求) by status: "
                  + ", ".join(f"{k} {v}" for k, v in result.work_requests.items()))
    if result.work_tasks:
        out.print("work tasks, meetings, organisation, key projects (任务督办、例会、链长制、重点项目): "
                  + ", ".join(f"{k} {v}" for k, v in result.work_tasks.items()))
    src = " (loaded from the Parquet cache)" if result.from_cache else ""
    out.print(f"built in {result.seconds:.1f} s{src}")
    _demo_users(db, out)
    out.print("[bold yellow]Synthetic demo data — names and figures are invented and are not real statistics. "
              "合成演示数据，企业名称与数字均为虚构，非真实统计。[/bold yellow]")


def write_private(path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600 from the first byte)."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)                       # an existing file keeps its mode on open: set it
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _demo_users(db: str, out: Console) -> None:
    """Create one user of each role, print the credentials and keep them beside a DuckDB file."""
    from pathlib import Path

    from chainbrain.store import open_store
    from chainbrain.web.demo_users import create_demo_users

    with open_store(db) as store:
        users = create_demo_users(store)
    table = Table(title="demo users 演示账号 (one per role)")
    for col in ("username", "password", "role", "scope"):
        table.add_column(col)
    for row in users:
        table.add_row(*row)
    out.print(table)
    if not db.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        path = Path(db).with_suffix(".credentials.txt")
        write_private(path, "".join(f"{u}\t{p}\t{r}\t{s}\n" for u, p, r, s in users))
        out.print(f"credentials saved to {path}")
