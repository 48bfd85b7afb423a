"""``chainbrain library``: the enterprise library's main-activity model — train, evaluate, review queue.

Exit codes: 0 done, 1 usage errors (a missing or malformed label file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from chainbrain.cli.common import DB

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)
app = typer.Typer(help="Enterprise library: main activity model and review. 企业库：主营业务模型与人工复核", no_args_is_help=True)


def _load(path: Path):
    from chainbrain.ingest.labelled import load

    try:
        return load(path)
    except FileNotFoundError:
        err.print(f"file not found (文件不存在): {path}")
        raise typer.Exit(1)
    except (KeyError, ValueError) as e:
        err.print(f"{path}: malformed label file, column or value {e} (标注文件格式错误)")
        raise typer.Exit(1)


@app.command("train")
def train(labels: list[Path] = typer.Argument(..., help="labelled tune rows (CSV files, mapping guide columns)"),
          out: Path = typer.Option(..., "--out", help="model JSON to write (the shipped one: "
                                                      "src/chainbrain/ingest/activity_model.json)")):
    """Train and calibrate the main-activity model on labelled rows. 训练主营业务模型"""
    from chainbrain.ingest.labelled import save, train as _train

    model = _train([r for f in labels for r in _load(f)])
    save(model, out)
    console.print(f"model written / 模型已写入: {out} ({model['trained_on']} rows)")


@app.command("evaluate")
def evaluate(labels: Path = typer.Argument(..., help="labelled rows (e.g. the held-out part)"),
             model: Optional[Path] = typer.Option(None, "--model", help="model JSON (default: the shipped one)"),
             as_json: bool = typer.Option(False, "--json"),
             errors: bool = typer.Option(False, "--errors", help="also list the rows whose industrial flag or chains "
                                         "differ from the label, and a reliability table of the chain confidence "
                                         "(only for a spent part: reading a held-out part's errors spends it)")):
    """Industrial-flag and chain precision/recall, calibration error on labelled rows (all rows, and the
    rows drawn at random when the file has a ``drawn`` column). 评估"""
    from chainbrain.ingest.labelled import evaluate_all, predict

    m = json.loads(model.read_text(encoding="utf-8")) if model else None
    rows = _load(labels)
    preds = predict(rows, m)
    res = evaluate_all(rows, m, preds=preds)
    if errors:
        from chainbrain.ingest.labelled import errors as _errors, reliability

        res["reliability_clear"] = reliability(rows, preds)
        res["errors"] = [_error_row(r, p) for r, p in _errors(rows, preds=preds)]
    if as_json:
        console.print_json(json.dumps(res, default=str))
        return
    from chainbrain.ingest.chainmap import min_conf
    from chainbrain.ingest.activity import load_model

    console.print(f"model {(m or load_model()).get('trained_on')} rows, auto threshold "
                  f"{min_conf(m or load_model()):.2f}: chains under it are not assigned (review only) and count "
                  f"as not predicted", highlight=False, soft_wrap=True)
    _print(res, "")
    if "random" in res:
        console.print("--- rows drawn at random (drawn == random) ---", highlight=False, soft_wrap=True)
        _print(res["random"], "random ")
    if errors:
        console.print("--- reliability of the chain confidence, clear rows (bin, predictions, mean confidence, share "
                      "right) ---", highlight=False, soft_wrap=True)
        for b in res["reliability_clear"]:
            console.print(f"   {b['bin']}  n {b['n']:>3}  confidence {b['confidence']:.3f}  right {b['right']:.3f}",
                          highlight=False)
        console.print(f"--- errors ({len(res['errors'])} rows: industrial flag or chains differ) ---", highlight=False)
        for e in res["errors"]:
            console.print(f"{e['uscc']} {e['name']} [{e['drawn'] or '—'}{', ambiguous' if e['ambiguous'] else ''}] "
                          f"industrial label {e['industrial']} P {e['p_industrial']:.2f} | label {e['label'] or '—'} | "
                          f"assigned {e['assigned'] or '—'} | held {e['held'] or '—'} | {e['scope']}",
                          highlight=False, markup=False, soft_wrap=True)


def _error_row(r, p) -> dict:
    fmt = lambda cs: " ".join(f"{c.segment}:{c.confidence:.2f}" for c in cs)  # noqa: E731
    return {"uscc": r.uscc, "name": r.name, "drawn": r.drawn, "ambiguous": r.ambiguous, "industrial": r.industrial,
            "p_industrial": p.activity.probability, "label": "|".join(r.segments), "assigned": fmt(p.segments),
            "held": fmt(p.held), "scope": r.scope[:120], "note": r.note}


@app.command("crossval")
def crossval(labels: list[Path] = typer.Argument(..., help="labelled parts (CSV files), e.g. tune heldout1 … heldout4"),
             by_part: bool = typer.Option(False, "--by-part", help="leave one part (file) out instead of grouped k-fold"),
             k: int = typer.Option(5, "--k", min=2, help="folds of the grouped k-fold"),
             seed: int = typer.Option(20261206, "--seed", help="shuffle of the firm groups before the k-fold split"),
             threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                                       help="auto threshold written into every fold's model"),
             as_json: bool = typer.Option(False, "--json")):
    """Cross-validate the whole model (retrained per fold, calibration included). 交叉验证"""
    from chainbrain.ingest import crossval as CV

    parts = {str(f): _load(f) for f in labels}
    if by_part and len(parts) < 2:
        err.print("--by-part needs at least two label files (按部分交叉验证至少需要两个标注文件)")
        raise typer.Exit(1)
    res = (CV.leave_one_part_out(parts, threshold) if by_part
           else CV.cross_validate([r for v in parts.values() for r in v], k, seed, threshold))
    if as_json:
        console.print_json(json.dumps(res, default=str))
        return
    _print(res, "")
    for p, v in res.get("parts", {}).items():
        console.print(f"--- {p} (model trained on the other parts) ---", highlight=False, soft_wrap=True)
        _print(v, "")
        fl = v["clear"].get("ece_floor")
        if fl and fl["mean"] is not None:
            console.print(f"clear  chain ECE {v['clear']['ece_chain']:.3f} against its noise floor (a perfectly calibrated "
                          f"model with these confidences): mean {fl['mean']:.3f}, 90th percentile {fl['p90']:.3f}, "
                          f"share of draws at or above it {fl['p_at_least']:.2f}", highlight=False, soft_wrap=True)


def _print(res: dict, tag0: str) -> None:
    f = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    console.print(f"{tag0}rows {res['rows']}  industrial precision {f(res['industrial_precision'])}  recall "
                  f"{f(res['industrial_recall'])}  ECE {f(res['ece_industrial'])}  non-industrial in industrial-only "
                  f"segments {f(res['nonmfg_in_mfg'])} (of {res['non_industrial_rows']})", highlight=False, soft_wrap=True)
    for tag in ("clear", "all"):
        v = res[tag]
        console.print(f"{tag0}{tag:<6} rows {v['rows']}  chain precision {f(v['chain_precision'])}  recall "
                      f"{f(v['chain_recall'])}  ECE {f(v['ece_chain'])}  (labels {v['chain_labels']}, auto-mapped "
                      f"predictions {v['chain_predictions']}; rows with a chain held for review "
                      f"{f(v['review_share'])}, recall if reviews were right {f(v['recall_if_reviewed'])})",
                      highlight=False, soft_wrap=True)
        for ch, c in v["per_chain"].items():
            console.print(f"   {ch:<4} n {c['n']:>3}  precision {f(c['precision'])}  recall {f(c['recall'])}",
                          highlight=False, soft_wrap=True)


@app.command("reviewed")
def reviewed(out: Path = typer.Option(..., "--out", help="CSV in the labelled-data columns"), db: str = DB):
    """Chain offices' decisions as labelled rows, for the next training run. 导出复核结果（用于再训练）"""
    import csv

    from chainbrain.ingest.review import reviewed_rows
    from chainbrain.store import open_store

    with open_store(db) as store:
        rows = reviewed_rows(store)
    cols = ["uscc", "name", "entity_type", "capital", "business_scope", "industrial", "main_activity", "segments",
            "ambiguous", "note", "labeller", "source"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    console.print(f"{len(rows)} reviewed firms → {out} (已导出复核结果)")
