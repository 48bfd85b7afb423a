"""The report's text, written from the figures by rules (templated sentences, no external model).

Every sentence is filled from the :class:`~chainbrain.reports.gather.ReportModel`; a sentence
whose figure is withheld (disclosure control) or absent is left out, and the paragraph says
that some figures are withheld. Rules:

- level and growth: ``实现营业收入 X 亿元，按可比口径同比增长 g``; the naive (总量口径) rate is
  added when it differs from the comparable one by ≥ 0.1 point (DESIGN.md §4: say which one);
- change on the previous period of the same year (比1—9月加快/回落 d 个百分点);
- turning point: the growth rose then fell (增速由升转降) or fell then rose (由降转升) over
  P−2 → P−1 → P (each step ≥ 0.05 point);
- plan pace (序时进度): the chained comparable index I against (1 + r)^(Y−B); the ratio and its
  status (green ≥ 1, yellow ≥ 1 − band, red below — :mod:`chainbrain.analytics.chained`);
  the growth still required for the year and, before the target year, a year to the target;
- strongest / weakest: the three highest and lowest comparable growth rates among the units;
- pulls and drags (拉动): per chain, the three sub-regions with the largest positive pull on the
  chain and the three with the most negative (|pull| ≥ 0.005 point, so that it shows as ≥ 0.01);
  per region, the same for its chains; units whose pull is withheld are counted, not named;
- alerts: each alert's own sentence (:mod:`chainbrain.analytics.alerts`), highest severity first.
"""

from __future__ import annotations

from chainbrain.reports import text as T

TURN_MIN = 0.0005          # a step of growth counts as a rise / fall from 0.05 percentage points
PULL_MIN = 0.005           # a pull or drag is named from 0.005 points (it shows as at least 0.01)


def _prev_label(m) -> str | None:
    return f"1—{m.previous[0]['period'][-2:].lstrip('0')}月" if m.previous else None


def turning(now: float | None, prev1: float | None, prev2: float | None) -> str | None:
    """``由升转降`` / ``由降转升`` when the last two steps of growth go opposite ways, else None."""
    if T.missing(now, prev1, prev2):
        return None
    a, b = prev1 - prev2, now - prev1
    if a >= TURN_MIN and b <= -TURN_MIN:
        return "增速由升转降，出现回落拐点"
    if a <= -TURN_MIN and b >= TURN_MIN:
        return "增速由降转升，出现企稳回升拐点"
    return None


def level_sentence(subject: str, rec: dict, period_zh: str) -> str:
    parts = [f"{period_zh}，{subject}规模以上工业企业{rec.get('above_scale_count', 0)}家"]
    if rec.get("revenue_ytd_yuan") is not None:
        parts.append(f"实现营业收入{T.yi(rec['revenue_ytd_yuan'])}")
    g, naive = rec.get("yoy_comparable"), rec.get("yoy_naive")
    if g is not None:
        parts.append(f"按可比口径同比{T.growth(g)}")
        if naive is not None and abs(naive - g) >= 0.001:
            parts.append(f"按总量口径{T.growth(naive)}（差异来自企业样本进出）")
    return "，".join(parts) + "。"


def headline_paragraph(m) -> str:
    h = m.headline
    out = level_sentence(m.subject_zh, h, m.period_zh)
    prev = [r.get("yoy_comparable") for r in m.previous]
    lab = _prev_label(m)
    c = T.change(h.get("yoy_comparable"), prev[0] if prev else None, lab) if lab else None
    if c:
        t = turning(h.get("yoy_comparable"), prev[0], prev[1] if len(prev) > 1 else None)
        out += c + (f"，{t}" if t else "") + "。"
    if h.get("suppressed"):
        out += "部分数据涉及企业数较少，按统计法规定不予公布。"
    return out


def target_paragraph(m) -> str | None:
    h = m.headline
    if h.get("target_annual_rate") is None:
        return None
    r, b, ty = h["target_annual_rate"], h.get("target_base_year"), h.get("target_year")
    out = f"对照规划提出的营业收入年均增长{T.pct(r, 0)}目标（{b}年为基年，{ty}年为目标年）"
    ix, ratio, status = h.get("target_index_comparable"), h.get("target_ratio"), h.get("target_status")
    if T.missing(ix, ratio, status):
        return out + "，本期可比口径目标进度数据不足或不予公布。"
    out += (f"，按可比口径链式计算，{b}年以来营业收入累计增长指数为{ix:.4f}，"
            f"为序时进度要求的{T.pct(ratio)}，{T.STATUS_ZH.get(status, status)}。")
    rest, req = h.get("target_required_growth_rest_of_year"), h.get("target_required_growth")
    if rest is not None and m.month < 12:
        out += f"全年回到目标路径，{m.month + 1}—12月营业收入需按可比口径同比增长{T.pct(rest)}。"
    if req is not None and ty is not None:
        out += f"如期实现{ty}年目标，{m.year + 1}—{ty}年还需年均增长{T.pct(req)}。"
    if h.get("target_ratio_level") is not None:
        out += (f"按总量口径，累计营业收入为同期目标路径的{T.pct(h['target_ratio_level'])}"
                f"（{T.STATUS_ZH.get(h.get('target_status_level'), '—')}）。")
    return out


def projection_paragraph(m) -> str | None:
    p = m.projection or {}
    if p.get("explanation_zh"):
        return p["explanation_zh"]
    return "全年预测所需数据不足或按规定不予公布。" if p else None


def target_items(m) -> list[str]:
    """One sentence per non-growth target of the scope (share, level; coverage without data)."""
    out = []
    for t in m.targets:
        if t.get("kind") == "growth":
            continue
        name = t.get("name_zh") or t.get("code")
        if t.get("kind") == "coverage":
            out.append(f"{name}：尚无覆盖率数据，暂不评价。")
            continue
        if t.get("status") is None and t.get("value") is None:
            out.append(f"{name}：暂无可评价数据或按规定不予公布。")
            continue
        val = t.get("value")
        if t.get("kind") == "share":
            out.append(f"{name}：本期估计为{T.pct(val)}（区间{T.pct(t.get('low'))}—{T.pct(t.get('high'))}），"
                       f"目标{T.pct(t.get('target'))}，{T.SHARE_STATUS_ZH.get(t.get('status'), '—')}。")
        elif t.get("kind") == "level":
            req = t.get("required_annual_growth_to_target")
            out.append(f"{name}：按季节占比折算全年约{T.yi(val)}，当年目标路径{T.yi(t.get('target'))}，"
                       f"{T.STATUS_ZH.get(t.get('status'), '—')}"
                       + (f"，此后还需年均增长{T.pct(req)}" if req is not None else "") + "。")
    return out


def _unit_list(rows: list[dict], key: str, fmt) -> str:
    return T.names([f"{r['name']}（{fmt(r[key])}）" for r in rows])


def ranking_paragraph(units: list[dict], what: str, parent: str) -> str | None:
    """Strongest and weakest by comparable growth, and the largest pulls on the parent."""
    shown = [u for u in units if u.get("yoy_comparable") is not None]
    if not shown:
        return None
    up = sum(1 for u in shown if u["yoy_comparable"] > 0)
    s = sorted(shown, key=lambda u: -u["yoy_comparable"])
    out = f"分{what}看，{len(units)}个{what}中{len(shown)}个可比口径增速可公布，其中{up}个实现增长。"
    k = min(3, len(s))
    out += f"增速居前的是{_unit_list(s[:k], 'yoy_comparable', T.pct)}"
    if len(s) > k:
        out += f"；增速居后的是{_unit_list(list(reversed(s[-k:])), 'yoy_comparable', T.pct)}"
    out += "。"
    pulls = sorted([u for u in units if u.get("pull_pp") is not None], key=lambda u: -u["pull_pp"])
    if pulls:
        top = pulls[:min(3, len(pulls))]
        out += f"从拉动看，{_unit_list(top, 'pull_pp', lambda x: f'拉动{x:.2f}个百分点')}对{parent}增长拉动最大"
        contrib = [u["contribution"] for u in top if u.get("contribution") is not None]
        if len(contrib) == len(top):
            out += f"，合计贡献率{T.pct(sum(contrib))}"
        out += "。"
    if len(shown) < len(units):
        out += "未列出的单位数据涉及企业数较少或无可比样本，按规定不予公布。"
    return out


def pulls_sentence(children: list[dict], what: str, parent: str) -> str:
    """The top three pulls and the top three drags of ``children`` on ``parent``."""
    shown = [c for c in children if c.get("pull_pp") is not None]
    hidden = sum(1 for c in children if c.get("suppressed"))
    pos = sorted([c for c in shown if c["pull_pp"] >= PULL_MIN], key=lambda c: -c["pull_pp"])[:3]
    neg = sorted([c for c in shown if c["pull_pp"] <= -PULL_MIN], key=lambda c: c["pull_pp"])[:3]
    fmt = lambda x: f"{x:.2f}个百分点"  # noqa: E731
    if not shown:
        return f"分{what}的拉动数据不足或按规定不予公布。"
    out = f"分{what}看，"
    out += (f"拉动{parent}增长最多的是{_unit_list(pos, 'pull_pp', fmt)}" if pos else f"没有{what}正向拉动{parent}增长")
    out += "；" + (f"下拉最多的是{_unit_list(neg, 'pull_pp', lambda x: fmt(-x))}" if neg else f"没有{what}下拉")
    out += "。"
    if hidden:
        out += f"另有{hidden}个{what}的拉动数据涉及企业数较少，不予公布。"
    return out


def unit_paragraph(u: dict, parent: str, prev: float | None, period_label: str | None,
                   children: list[dict] | None, child_what: str | None, unit_suffix: str = "") -> str:
    """One chain (or region): level, growth, change, pull on the parent, target status, its pulls."""
    name = u["name"] + unit_suffix
    parts = [f"{name}规模以上工业企业{u.get('above_scale_count', 0)}家"]
    if u.get("revenue_ytd_yuan") is not None:
        parts.append(f"实现营业收入{T.yi(u['revenue_ytd_yuan'])}")
    if u.get("yoy_comparable") is not None:
        parts.append(f"按可比口径同比{T.growth(u['yoy_comparable'])}")
        c = T.change(u["yoy_comparable"], prev, period_label) if period_label else None
        if c:
            parts.append(c)
    if u.get("pull_pp") is not None:
        parts.append(f"拉动{parent}增长{u['pull_pp']:.2f}个百分点")
        if u.get("contribution") is not None:
            parts.append(f"贡献率{T.pct(u['contribution'])}")
    out = "，".join(parts) + "。"
    if u.get("target_status") and u.get("target_ratio") is not None:
        out += f"目标进度为序时要求的{T.pct(u['target_ratio'])}，{T.STATUS_ZH.get(u['target_status'])}。"
    if u.get("suppressed") and (u.get("revenue_ytd_yuan") is None or u.get("yoy_comparable") is None):
        out += "部分数据涉及企业数较少，按统计法规定不予公布。"
    if children is not None and child_what:
        out += pulls_sentence(children, child_what, name)
    return out


def alert_lines(m) -> list[str]:
    order = {"high": 0, "medium": 1, "low": 2}
    rows = sorted(m.alerts, key=lambda a: order.get(a.get("severity"), 3))
    return [f"（{T.SEVERITY_ZH.get(a.get('severity'), a.get('severity'))}）{a['message_zh']}。" for a in rows]


def alert_summary(m) -> str:
    if not m.alerts:
        return "本期未触发运行预警。"
    high = sum(1 for a in m.alerts if a.get("severity") == "high")
    return f"本期共触发运行预警{len(m.alerts)}条，其中高等级{high}条，具体如下。"
