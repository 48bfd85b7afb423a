"""The report's figures by viewer (``--as``), the pulls worked out by hand, and the narrative's rules.

Hand-made data (``tests/handmade.py``, ``tests/web_fixture.py``), period 2025-06, comparable
sample E1 125/100, E2 40/50, E3 200/180, E6 10/8 (E5 has no prior value):

- province ΔC = 375 − 338 = 37;
- EI (E1, E2): cc 165, cb 150 → growth 10 %, pull 100·15/338 = 4.4379 points, contribution 15/37;
- NF (E3): 200/180 → pull 100·20/338 = 5.9172, contribution 20/37;
- 南昌市 360100 (E1, E2, E6; E5 not comparable): cc 175, cb 158 → pull 100·17/338 = 5.0296;
  九江市 360400 (E3): pull 5.9172;
- 南昌市 inside EI: 100·15/150 = 10 points; EI inside 南昌市: 100·15/158 = 9.4937.

A viewer's report shows what the pages show that viewer: every chain and city figure equals
the cockpit's (:func:`chainbrain.web.model.build` with the user's
:func:`~chainbrain.web.policy.cell_rule`), and a pull is withheld with any sum it uses.
"""

from __future__ import annotations

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

import web_fixture
from chainbrain.cli import report as report_cli
from chainbrain.reports import narrative as N
from chainbrain.reports import text as T
from chainbrain.reports.gather import gather
from chainbrain.reports.viewer import as_user, operator
from chainbrain.store import open_store
from chainbrain.web import model
from chainbrain.web.policy import cell_rule
from chainbrain.web.users import lookup

P = "2025-06"
A = pytest.approx
FIELDS = ("revenue_ytd_yuan", "yoy_comparable", "yoy_naive", "target_ratio", "target_status",
          "comparable_current_yuan", "comparable_base_yuan", "revenue_ytd_prev_yuan")


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    return web_fixture.build(tmp_path_factory.mktemp("report-hand") / "hand.duckdb", tasks=False)


@pytest.fixture(scope="module")
def store(hand):
    s = open_store(hand)
    yield s
    s.close()


def test_pulls_and_contributions_by_hand(store):
    m = gather(store, P)
    ch = {c["key"]: c for c in m.chains}
    assert ch["EI"]["yoy_comparable"] == A(0.10)
    assert ch["EI"]["pull_pp"] == A(100 * 15 / 338) and ch["EI"]["contribution"] == A(15 / 37)
    assert ch["NF"]["pull_pp"] == A(100 * 20 / 338) and ch["NF"]["contribution"] == A(20 / 37)
    cities = {c["key"]: c for c in m.regions}
    assert cities["360100"]["pull_pp"] == A(100 * 17 / 338) and cities["360400"]["pull_pp"] == A(100 * 20 / 338)
    assert m.regions_in_chain["EI"][0]["region"] == "360100" and m.regions_in_chain["EI"][0]["pull_pp"] == A(10.0)
    in_nc = {r["chain"]: r for r in m.chains_in_region["360100"]}
    assert in_nc["EI"]["pull_pp"] == A(100 * 15 / 158)
    assert m.headline["revenue_ytd_yuan"] == A(405e8) and m.headline["yoy_comparable"] == A(375 / 338 - 1)
    assert "运行管理方全量视图" in m.viewer.label_zh


@pytest.mark.parametrize("user", ["viewer", "ei_office", "nc_city", "dh_county", "lx_county", "ent3"])
def test_as_user_equals_the_pages(store, user):
    """Every KPI figure of the report's chains, cities and headline is the cockpit's for that user."""
    v = as_user(store, user)
    m = gather(store, P, viewer=v)
    u = v.user
    page = model.build(store, P, None, "all", cell_rule(store, u, 3))
    pch = {c["code"] if "code" in c else c["key"]: c for c in page["chains"]}
    for c in m.chains:
        for f in FIELDS:
            assert c.get(f) == pch[c["key"]].get(f), (user, c["key"], f)
    pci = {c["key"]: c for c in page["cities"]}
    for c in m.regions:
        for f in FIELDS:
            assert c.get(f) == pci[c["key"]].get(f), (user, c["key"], f)
    for f in FIELDS:
        assert m.headline.get(f) == page["kpi"].get(f), (user, f)
    assert user in m.viewer.label_zh


def test_withheld_for_viewer_shown_to_operator(store):
    """EI's revenue is withheld for a partial viewer (province − EI = E3 + E6); its pull with it."""
    full = gather(store, P, viewer=operator(store))
    anon = gather(store, P, viewer=as_user(store, "viewer"))
    ei_full = next(c for c in full.chains if c["key"] == "EI")
    ei_anon = next(c for c in anon.chains if c["key"] == "EI")
    assert ei_full["revenue_ytd_yuan"] == A(195e8) and ei_anon["revenue_ytd_yuan"] is None
    assert ei_full["pull_pp"] is not None and ei_anon["pull_pp"] is None
    assert all(r["suppressed"] for rows in anon.regions_in_chain.values() for r in rows)
    # the EI office sees its own chain whole
    office = gather(store, P, viewer=as_user(store, "ei_office"))
    assert next(c for c in office.chains if c["key"] == "EI")["revenue_ytd_yuan"] == A(195e8)


def test_cli_as_writes_what_the_user_may_see(hand, tmp_path):
    root = typer.Typer()
    root.add_typer(report_cli.app, name="report")
    out = {}
    for who in (None, "viewer"):
        path = tmp_path / f"{who or 'op'}.xlsx"
        res = CliRunner().invoke(root, ["report", "monthly", "--db", hand, "-p", P, "--out", str(path),
                                        *(["--as", who] if who else [])])
        assert res.exit_code == 0, res.output
        out[who] = openpyxl.load_workbook(str(path))
    cover = "\n".join(str(c.value) for c in out["viewer"]["封面"]["A"])
    assert "按用户 viewer" in cover and "全量视图" not in cover
    assert "运行管理方全量视图" in "\n".join(str(c.value) for c in out[None]["封面"]["A"])

    def ei_row(wb):
        sh = next(wb[n] for n in wb.sheetnames if wb[n]["A1"].value and "分产业链" in str(wb[n]["A1"].value))
        head = [c.value for c in sh[2]]
        row = next(r for r in sh.iter_rows(min_row=3, values_only=True) if r[0] == "电子信息")
        return row[head.index("营业收入（亿元）")]

    assert ei_row(out[None]) == A(195.0)
    assert ei_row(out["viewer"]) == T.WITHHELD


def test_disabled_user_refused(store):
    from chainbrain.reports.viewer import ReportError
    from chainbrain.web.users import set_disabled

    set_disabled(store, "lx_county", True)
    try:
        with pytest.raises(ReportError, match="已停用"):
            as_user(store, "lx_county")
    finally:
        set_disabled(store, "lx_county", False)
    assert lookup(store, "lx_county") is not None


# ---------------------------------------------------------------- the narrative's rules, at their boundaries
def test_turning_points():
    assert N.turning(0.05, 0.06, 0.05) == "增速由升转降，出现回落拐点"
    assert N.turning(0.07, 0.06, 0.07) == "增速由降转升，出现企稳回升拐点"
    assert N.turning(0.07, 0.06, 0.05) is None                     # rising throughout
    assert N.turning(0.0596, 0.06, 0.0596) is None                 # steps of 0.04 point: not a turn
    assert N.turning(0.0594, 0.06, 0.0594) is not None             # steps of 0.06 point: a turn
    assert N.turning(None, 0.06, 0.05) is None


def test_change_and_growth_wording():
    assert T.change(0.067, 0.064, "1—9月") == "增速比1—9月加快0.3个百分点"
    assert T.change(0.064, 0.067, "1—9月") == "增速比1—9月回落0.3个百分点"
    assert T.change(0.0670, 0.0666, "1—9月") == "增速与1—9月持平"
    assert T.growth(0.0004) == "与上年同期持平" and T.growth(0.0005) == "增长0.1%"
    assert T.growth(-0.023) == "下降2.3%" and T.growth(None) == T.WITHHELD
    assert T.yi(3995982665639.79) == "39959.83亿元"


def test_top_three_pulls_and_drags():
    kids = [{"name": n, "pull_pp": v, "suppressed": False} for n, v in
            (("甲", 3.0), ("乙", 2.0), ("丙", 1.0), ("丁", 0.5), ("戊", -0.004), ("己", -0.005), ("庚", -1.0),
             ("辛", -2.0), ("壬", -3.0))] + [{"name": "癸", "pull_pp": None, "suppressed": True}]
    s = N.pulls_sentence(kids, "地区", "电子信息产业链")
    assert "拉动电子信息产业链增长最多的是甲（3.00个百分点）、乙（2.00个百分点）、丙（1.00个百分点）" in s
    assert "下拉最多的是壬（3.00个百分点）、辛（2.00个百分点）、庚（1.00个百分点）" in s
    assert "丁" not in s and "另有1个地区的拉动数据涉及企业数较少，不予公布" in s
    few = N.pulls_sentence(kids[4:6], "地区", "X")
    assert "己（0.01个百分点）" in few and "戊" not in few           # 0.005 named, 0.004 not
    assert "没有地区正向拉动X增长" in few


def test_every_narrative_threshold_on_both_sides():
    """Each rule of the narrative just below and at (or just above) its threshold."""
    # turning point: both steps ≥ TURN_MIN (0.05 point); 0.049 vs 0.051 point steps
    assert N.turning(0.06 - 0.00049, 0.06, 0.06 - 0.00049) is None
    assert N.turning(0.06 - 0.00051, 0.06, 0.06 - 0.00051) == "增速由升转降，出现回落拐点"
    assert N.turning(0.06 + 0.00051, 0.06, 0.06 + 0.00051) == "增速由降转升，出现企稳回升拐点"
    assert N.turning(0.06 - 0.00049, 0.06, 0.06 - 0.00051) is None          # one step below: no turn
    # change of growth: |Δ| < 0.05 point is 持平
    assert T.change(0.06049, 0.06, "1—9月") == "增速与1—9月持平"
    assert T.change(0.06051, 0.06, "1—9月") == "增速比1—9月加快0.1个百分点"
    assert T.change(0.05949, 0.06, "1—9月") == "增速比1—9月回落0.1个百分点"
    # growth wording: |g| < 0.05 % is 持平, on both signs
    assert T.growth(-0.00049) == "与上年同期持平" and T.growth(-0.0005) == "下降0.1%"
    # total vs comparable growth: the total basis is named from a 0.1-point difference
    rec = {"above_scale_count": 3, "revenue_ytd_yuan": 1e8, "yoy_comparable": 0.05}
    assert "总量口径" not in N.level_sentence("全省", {**rec, "yoy_naive": 0.05099}, "1—6月")
    assert "按总量口径增长5.1%" in N.level_sentence("全省", {**rec, "yoy_naive": 0.0511}, "1—6月")
    assert "按总量口径增长4.9%" in N.level_sentence("全省", {**rec, "yoy_naive": 0.0489}, "1—6月")
    # pulls named from ±PULL_MIN (0.005 point), on the positive side too
    kids = [{"name": "甲", "pull_pp": 0.005, "suppressed": False}, {"name": "乙", "pull_pp": 0.0049, "suppressed": False}]
    s = N.pulls_sentence(kids, "地区", "X")
    assert "甲（0.01个百分点）" in s and "乙" not in s
    # ranking: a growth of exactly 0 is not counted as growing
    units = [{"name": "甲", "yoy_comparable": 0.0}, {"name": "乙", "yoy_comparable": 0.0001},
             {"name": "丙", "yoy_comparable": None}]
    assert "3个地区中2个可比口径增速可公布，其中1个实现增长" in N.ranking_paragraph(units, "地区", "全省")
