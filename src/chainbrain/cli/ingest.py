"""``chainbrain import|template|map|export``: getting real data in, and the enterprise list out.

Exit codes: 0 loaded (possibly with warnings or skipped rows), 2 rejected
(validation errors; no data table changed), 1 usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from chainbrain.cli.common import DB, cli_actor

console = Console(stderr=False)
err = Console(stderr=True)

import_app = typer.Typer(help="Import a file (CSV, XLSX, Parquet) — all-or-nothing. 导入数据（全有或全无）", no_args_is_help=True)
map_app = typer.Typer(help="Enterprise → chain segment mapping. 企业—产业链环节匹配", no_args_is_help=True)
export_app = typer.Typer(help="Export lists. 导出", no_args_is_help=True)

UNIT = typer.Option(None, "--unit", help="Money unit of the file: 元|千元|万元|亿元 (never guessed)")
SKIP = typer.Option(False, "--skip-invalid", help="Load the valid rows; write the rejected ones to --errors")
ERRORS = typer.Option(None, "--errors", help="Error file (.xlsx or .csv): the rejected rows plus an error column")
SHEET = typer.Option(None, "--sheet", help="Worksheet name (XLSX)")
MAX_SHOWN = 50


def _report(res, as_json: bool) -> None:
    issues = res.issues
    if as_json:
        console.print_json(json.dumps({
            "kind": res.kind, "file": res.file, "status": res.status, "batch_id": res.batch_id, "rows": res.rows,
            "new": res.new, "updated": res.updated, "unchanged": res.unchanged, "skipped": res.skipped,
            "error_file": res.error_file, "extra": res.extra,
            "issues": issues.as_dicts() if issues else []}, ensure_ascii=False, default=str))
    else:
        if issues:
            items = issues.errors + issues.warnings
            for it in items[:MAX_SHOWN]:
                (err.print if it.severity == "error" else console.print)(
                    ("[red]错误 error[/red] " if it.severity == "error" else "[yellow]警告 warning[/yellow] ") + it.line(),
                    markup=True, highlight=False, soft_wrap=True)
            if len(items) > MAX_SHOWN:
                console.print(f"… {len(items) - MAX_SHOWN} more / 另有 {len(items) - MAX_SHOWN} 条，见错误文件 (see --errors)")
        if res.status == "rejected":
            err.print(f"[red]未导入 rejected[/red]: {len(issues.errors)} errors / 个错误；数据未作任何改动 (no data changed)"
                      + (f"；错误文件 error file: {res.error_file}" if res.error_file else ""), highlight=False)
        else:
            console.print(f"[green]已导入 loaded[/green] batch {res.batch_id}: {res.summary_zh()} / {res.summary_en()}"
                          + (f"; error file: {res.error_file}" if res.error_file else ""), highlight=False)
    if res.status == "rejected":
        raise typer.Exit(2)


STAGES = {"read": "读取 reading", "validate": "校验 validating", "write": "写入 writing"}


class ImportProgress:
    """Row-level rich progress bars for an import (one bar per stage), fed by the library's callback.

    Hidden for --json and when the console is not a terminal, so scripts see clean output.
    """

    def __init__(self, name: str, enabled: bool = True):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.enabled = enabled
        self.bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("rows"), TimeElapsedColumn(), console=err, transient=False,
                            disable=not enabled)
        self.name = name
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def __call__(self, stage: str, done=None, total=None) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(f"{self.name} {STAGES.get(stage, stage)}", total=total)
        self.bar.update(self.tasks[stage], completed=done or 0, total=total)


def _run(kind: str, file: Path, db: str, unit, skip_invalid, errors, sheet, as_json) -> None:
    from chainbrain.ingest.load import import_file
    from chainbrain.store import open_store
    from chainbrain.store.audit_imports import import_span

    with open_store(db) as store:
        with import_span(store, cli_actor(), kind, file.name) as span, \
                ImportProgress(file.name, enabled=not as_json and err.is_terminal) as bar:   # audited (#20)
            res = import_file(store, kind, file, unit=unit, skip_invalid=skip_invalid, errors_path=errors,
                              sheet=sheet, progress=bar, actor=cli_actor())
            span.update(status=res.status, result={"rows": res.rows, "new": res.new, "updated": res.updated,
                                                   "skipped": res.skipped, "batch_id": res.batch_id})
    _report(res, as_json)


def _make(kind: str, doc: str):
    def cmd(file: Path = typer.Argument(..., exists=False), db: str = DB, unit: Optional[str] = UNIT,
            skip_invalid: bool = SKIP, errors: Optional[Path] = ERRORS, sheet: Optional[str] = SHEET,
            as_json: bool = typer.Option(False, "--json", help="Machine-readable result")):
        _run(kind, file, db, unit, skip_invalid, errors, sheet, as_json)
    cmd.__doc__ = doc
    import_app.command(kind)(cmd)


_make("enterprises", "Enterprise list (uscc,name,region_code,industry_code,founded_on,employees). 企业名录")
_make("monthly", "Monthly YTD reports (uscc,period,revenue_ytd,profit_ytd,…). 月度累计数据（联网直报）")
_make("annual", "Annual figures (uscc,year,revenue,profit,employees,…). 年度数据")
_make("supply", "Supply links (supplier_uscc,buyer_uscc,year,amount). 供需关系")
_make("designations", "Designations (uscc,kind,level,valid_from,valid_to). 认定名单")
_make("sei-shares", "SEI share of partial classes' value added (industry_code,year,share). 战略性新兴产业部分行业占比")
_make("deflators", "Producer price index by division (division,period,ppi_ytd; previous year = 100). 分行业出厂价格指数")
_make("power", "Grid company's monthly industrial electricity per enterprise (uscc,period YYYY-MM,kwh). 工业用电量（当月）")
_make("digital", "Digital-maturity assessments (uscc,scheme,level,assessed_on[,score,source]). 数字化水平/智能制造成熟度评测")
_make("digital-scenarios", "Scenario adoptions, 一链一场景 (uscc,chain_code,scenario,adopted_on[,provider,provider_uscc,rating]). 数字化转型场景应用")
_make("digital-providers", "智改数转 service-provider register (uscc,name[,chains,scenarios,region,listed_on]). 数字化服务商名录")
_make("external", "Out-of-province candidates (name,province[,uscc,city,industry_code,main_products,revenue,year,unit,segment]). 省外目标企业")


@import_app.command("registry")
def registry(file: Path, db: str = DB, skip_invalid: bool = SKIP, errors: Optional[Path] = ERRORS,
             sheet: Optional[str] = SHEET, as_json: bool = typer.Option(False, "--json")):
    """Market-regulation registry export (企业名称,统一社会信用代码,…,注册地址). 市场监管登记数据"""
    from chainbrain.ingest.registry import import_registry
    from chainbrain.store import open_store

    with open_store(db) as store:
        with ImportProgress(file.name, enabled=not as_json and err.is_terminal) as bar:
            res = import_registry(store, file, errors_path=errors, sheet=sheet, progress=bar, skip_invalid=skip_invalid)
    _report(res, as_json)


def template(kind: str = typer.Argument(..., help="enterprises|monthly|annual|supply|designations|external|registry|sei-shares|deflators|power|digital|digital-scenarios|digital-providers"),
             out: Path = typer.Option(..., "--out", help=".xlsx or .csv")):
    """Write a fill-in template. 生成导入模板"""
    from chainbrain.ingest.templates import write_template

    try:
        write_template(kind, out)
    except KeyError:
        err.print(f"unknown kind {kind!r}")
        raise typer.Exit(1)
    console.print(f"template written / 模板已生成: {out}")


@map_app.command("explain")
def explain(uscc: str, db: str = DB, as_json: bool = typer.Option(False, "--json")):
    """Why an enterprise is mapped to its segments. 解释企业的环节匹配"""
    from chainbrain.ingest.mapping import explain as _explain
    from chainbrain.store import open_store

    with open_store(db) as store:
        info = _explain(store, uscc)
    if info is None:
        err.print(f"enterprise not found / 未找到企业: {uscc}")
        raise typer.Exit(1)
    if as_json:
        console.print_json(json.dumps(info, ensure_ascii=False, default=str))
        return
    console.print(f"{info['uscc']}  {info['name']}  industry {info['industry_code'] or '—'}  section {info['guessed_section'] or '—'}",
                  highlight=False)
    act = info.get("activity")
    if act:
        console.print("经营范围条目 scope items (role / 角色):", highlight=False)
        for it in act["items"]:
            sec = {"licensed": "许可", "general": "一般"}.get(it["section"], "")
            console.print(f"  {it['index'] + 1:>2}. [{it['role']:<7}] {sec + ' ' if sec else ''}{it['text']}"
                          f"  → {it['object'] or '—'}", highlight=False, markup=False)
        console.print(f"主营 main activity: section {act['section'] or '—'}  class {act['class_code'] or '—'}  "
                      f"{'工业 industrial' if act['industrial'] else '非工业 not industrial'}  "
                      f"P(industrial) {act['probability']:.2f}  confidence {act['confidence']:.2f}  model {act['model']}",
                      highlight=False)
        console.print("证据 evidence (log-odds pull vs. an average firm): " + "; ".join(
            f"{e['label_zh']} {e['pull']:+.2f}" for e in act["evidence"]), highlight=False)
    if not info["segments"]:
        console.print("no segment matched / 未匹配到产业链环节")
    for s in info["segments"]:
        console.print(f"  {s['segment_code']:<10} {s['name_zh']:<16} {s['chain_code']:<4} {s['method']:<15} "
                      f"{s['confidence']:.2f}  {s['evidence'] or ''}", highlight=False)
    if info.get("held"):
        console.print("held for review, not assigned (under the auto threshold) / 待复核建议（低于自动阈值，未计入产业链）:",
                      highlight=False)
    for s in info.get("held") or []:
        console.print(f"  {s['segment_code']:<10} {s['name_zh']:<16} {s['chain_code']:<4} {s['method']:<15} "
                      f"{s['confidence']:.2f}  {s['evidence'] or ''}", highlight=False)
    if info.get("review"):
        r = info["review"]
        console.print(f"review queue / 复核队列: {r['status']}  suggested {r['suggested'] or '—'}  "
                      f"confidence {r['confidence']:.2f}", highlight=False)
    for o in info["overrides"]:
        console.print(f"  override {o['action']} {o['segment_code']} ({o.get('note') or ''})", highlight=False)


@map_app.command("override")
def override(uscc: str, segment: str, remove: bool = typer.Option(False, "--remove"),
             note: str = typer.Option("", "--note"), db: str = DB):
    """Manually add (or --remove) a segment; survives re-imports. 人工调整环节"""
    from chainbrain.ingest.mapping import set_override
    from chainbrain.store import open_store

    with open_store(db) as store:
        try:
            ok = set_override(store, uscc, segment, "remove" if remove else "add", note)
        except KeyError:
            err.print(f"unknown segment / 未知环节: {segment}")
            raise typer.Exit(1)
    if not ok:
        err.print(f"enterprise not found / 未找到企业: {uscc}")
        raise typer.Exit(1)
    console.print("override saved / 已保存")


@export_app.command("enterprises")
def export_enterprises(db: str = DB, fmt: str = typer.Option("csv", "--format"),
                       out: Optional[Path] = typer.Option(None, "--out", help="file (default: stdout)")):
    """Enterprise list with segments and mapping confidence. 导出企业名录"""
    from chainbrain.ingest.export import export_enterprises as _export
    from chainbrain.store import open_store

    if fmt != "csv":
        err.print("only --format csv is supported")
        raise typer.Exit(1)
    with open_store(db) as store:
        n = _export(store, out if out else sys.stdout, fmt)
    if out:
        console.print(f"{n} enterprises → {out}")
