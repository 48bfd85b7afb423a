"""The report's charts, drawn offline with matplotlib (Agg) in a CJK font (:mod:`fonts`), as PNG.

- growth chart: each unit's comparable growth (bars; withheld units left out and counted in
  the caption) against the plan's annual rate (dashed line);
- path chart: annual revenue (actual, YTD of the current year), the required path of the
  growth target and the projection with its 80 % interval (:func:`chainbrain.analytics.projection`
  series, as on the cockpit), in 亿元.
"""

from __future__ import annotations

import io

from chainbrain.reports.fonts import font, font_file


def chart_family() -> str:
    """The charts' font: the heading-1 font of :mod:`fonts` (黑体, else Noto Sans CJK SC)."""
    return font("heading1")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    family = chart_family()
    path = font_file(family)
    if path:
        # a .ttc holds several faces (JP, KR, SC, …): register them all and ask for the family by
        # name — FontProperties(fname=…) would take the file's first face, Noto's Japanese one
        font_manager.fontManager.addfont(path)
    known = {f.name for f in font_manager.fontManager.ttflist}
    matplotlib.rcParams["font.family"] = [family] if family in known else ["sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def growth_chart(m, units: list[dict], title: str, cid: str) -> dict | None:
    shown = [u for u in units if u.get("yoy_comparable") is not None]
    if not shown:
        return None
    plt = _plt()
    shown = sorted(shown, key=lambda u: u["yoy_comparable"])
    fig, ax = plt.subplots(figsize=(6.3, 0.28 * len(shown) + 1.2))
    vals = [u["yoy_comparable"] * 100 for u in shown]
    ax.barh([u["name"] for u in shown], vals, color=["#b22222" if v < 0 else "#2f5597" for v in vals])
    rate = m.headline.get("target_annual_rate")
    if rate is not None:
        ax.axvline(rate * 100, color="#c00000", linestyle="--", linewidth=1)
        ax.text(rate * 100, len(shown) - 0.4, f" 规划年均{rate * 100:.0f}%", color="#c00000", fontsize=8)
    ax.set_xlabel("可比口径同比增速（%）")
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    caption = f"图：{title}（{m.period_zh}）" + (f"；{len(units) - len(shown)}个单位不予公布"
                                               if len(shown) < len(units) else "")
    return {"id": cid, "title": caption, "png": _png(fig)}


def path_chart(m) -> dict | None:
    series = (m.projection or {}).get("series") or {}
    rows = series.get("rows") or []
    keys = ("actual_yuan", "required_yuan", "projected_yuan", "actual_ytd_yuan")
    if not any(r.get(k) is not None for r in rows for k in keys):
        return None                          # nothing to draw (an empty scope, or every figure withheld)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.3, 3.0))
    years = [r["year"] for r in rows]

    def line(key, label, **kw):
        pts = [(r["year"], r[key] / 1e8) for r in rows if r.get(key) is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=label, **kw)

    line("actual_yuan", "实际（全年）", marker="o", color="#2f5597")
    line("required_yuan", "目标路径", linestyle="--", color="#c00000")
    line("projected_yuan", "预测", marker="D", color="#ed7d31", linestyle="none")
    ytd = [(r["year"], r["actual_ytd_yuan"] / 1e8) for r in rows if r.get("actual_ytd_yuan") is not None]
    if ytd:
        ax.bar([p[0] for p in ytd], [p[1] for p in ytd], width=0.4, color="#9dc3e6", label="本年累计")
    for r in rows:
        if r.get("interval_low_yuan") is not None and r.get("interval_high_yuan") is not None:
            ax.vlines(r["year"], r["interval_low_yuan"] / 1e8, r["interval_high_yuan"] / 1e8, color="#ed7d31")
    ax.set_xticks(years)
    ax.set_ylabel("营业收入（亿元）")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    return {"id": "path", "title": f"图：{m.subject_zh}营业收入、目标路径与全年预测（亿元）", "png": _png(fig)}
