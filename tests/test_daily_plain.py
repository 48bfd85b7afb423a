"""Plain Chinese and one period everywhere (#22), without a browser.

- Every page of the daily walk, and every Excel download its page offers, is scanned for what a
  county bureau cannot read: a field name (``_yuan``), a command-line flag (``--unit``), a rate
  written as a bare fraction (``0.0349``), a bare region code (``360100``), a bare chain or segment
  code (``EI``, ``EI-D1``) or English status words.
- The period chosen on one page is the period of the next (cookie ``cb_period``); ``period=latest``
  forgets it; the JSON API keeps its documented default (the newest month).
- Periods are written as the bureau writes them.
- A role's home: ``/`` leads a city user to its cockpit, ``/?region=<province>`` shows the province.
- Excel matches the screen: money in 亿元 with two decimals, rates as percent formats, statuses in words.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app
from chainbrain.web.carry import plan
from chainbrain.web.format import period_words

P = "2025-06"
PAGES = [f"/?region=360000&period={P}", f"/?region=360100&period={P}", f"/regions/360100?period={P}",
         f"/chains/EI?period={P}", f"/chains/EI?region=360100&period={P}", f"/operations?period={P}",
         f"/enterprises?region=360100&chain=EI&period={P}", f"/maps/EI/regions?period={P}",
         f"/maps/EI/chain?period={P}", "/focus/360100", f"/chains?period={P}", "/maps"]
BAD = {"field name": re.compile(r"_yuan"), "command-line flag": re.compile(r"(?<![\w-])--[a-z]"),
       "bare fraction": re.compile(r"(?<![\d.,])0\.\d{3,}"), "region code": re.compile(r"(?<![\da-f])36\d{4}(?![\da-f])"),   # not inside a hex id (数据版本 e362093d)
       "chain code": re.compile(r"(?<![A-Za-z])(EI|NF|AV|EQ|ST|BM)(?![A-Za-z-])"),
       "segment code": re.compile(r"(?<![A-Za-z])[A-Z]{2}-[A-Z]{1,2}\d+"),
       "English word": re.compile(r"(?<![A-Za-z])(code|status|red|yellow|green|None|null)(?![A-Za-z])")}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    a = create_app(W.build(tmp_path_factory.mktemp("plain") / "plain.duckdb", tasks=False), public_aggregates=True)
    with TestClient(a):
        yield a


def client(app, name=None) -> TestClient:
    c = TestClient(app)
    if name:
        assert c.post("/api/login", json={"username": name, "password": W.password(name)}).status_code == 200
    return c


def visible(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def problems(text: str) -> list[str]:
    return [f"{name}: …{text[max(0, m.start() - 30):m.end() + 10]}…"
            for name, rx in BAD.items() for m in rx.finditer(text)]


def test_the_scan_can_fail():
    assert problems("营业收入 revenue_ytd_yuan") and problems("请用 --unit") and problems("增速 0.0349")
    assert problems("南昌 360100") and problems("南昌360100") and problems("链 EI 环节 EI-D1") and problems("状态 red")
    assert not problems("数据版本 e362093d")                # a data version id, not a region code
    assert not problems("营业收入 1,250,000.00 万元，增速 3.5%，统一社会信用代码 91360100MA35XXXX0X")


def test_pages_and_downloads_speak_plain_chinese(app):
    c = client(app, "admin")
    found = []
    for path in PAGES:
        r = c.get(path)
        assert r.status_code == 200, path
        found += [f"{path} {p}" for p in problems(visible(r.text))]
        for href in sorted(set(re.findall(r'href="(/[^"]*format=xlsx[^"]*)"', r.text))):
            x = c.get(href.replace("&amp;", "&"))
            assert x.status_code == 200, href
            for ws in openpyxl.load_workbook(io.BytesIO(x.content)):
                for row in ws.iter_rows(values_only=True):
                    found += [f"{href} [{ws.title}] {p}" for v in row if isinstance(v, str) for p in problems(v)]
    assert found == [], "\n".join(found[:20])


def test_excel_matches_the_screen(app):
    c = client(app, "admin")
    page = c.get(f"/chains/EI?period={P}").text
    shown = re.search(r'data-key="360100".*?data-field="revenue_ytd_yuan" data-value="[^"]*">([^<]+)<', page, re.S)
    ws = openpyxl.load_workbook(io.BytesIO(c.get(f"/api/chains/EI?period={P}&format=xlsx&table=cities").content))["cities"]
    assert "2025年1–6月" in ws["A1"].value and "亿元" in ws["A1"].value
    head = [x.value for x in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "南昌市")
    rev = row[head.index("营业收入（亿元）")]
    assert rev.value == pytest.approx(195.0) and rev.number_format == "#,##0.00"   # E1 + E2 + E5, in 亿元
    assert f"{rev.value:,.2f}" == shown.group(1) == "195.00"
    growth = row[head.index("可比口径同比")]
    assert growth.number_format == "0.0%" and isinstance(growth.value, float)
    assert row[head.index("目标状态")].value in ("达标", "预警", "落后", None)


def test_period_words():
    assert [period_words(p) for p in ("2026-10", "2026-02", "2026-01", "2025-12", "2025", "2026-Q2")] == \
        ["2026年1–10月", "2026年1–2月", "2026年1–2月", "2025年", "2025年", "2026年二季度"]
    assert period_words("2026-10", "en") == "Jan–Oct 2026 (YTD)" and period_words(None) == "—"


def test_carry_plan_boundaries():
    assert plan("", {"cb_period": "2026-06"}) == ("period=2026-06", {})
    assert plan("period=2026-06", {"cb_period": "2026-06"}) == ("period=2026-06", {})
    assert plan("period=2026-07", {}) == ("period=2026-07", {"cb_period": "2026-07"})
    assert plan("", {"cb_period": "2026-13"}) == ("", {})                 # a forged cookie is ignored
    assert plan("", {"cb_period": "2026-06&region=1"}) == ("", {})
    assert plan("period=2026-13", {}) == ("period=2026-13", {})           # the page answers 400 itself
    assert plan("period=latest", {"cb_period": "2026-06"}) == ("", {"cb_period": None})
    assert plan("scope=manufacturing", {}) == ("scope=manufacturing", {"cb_scope": "manufacturing"})
    assert plan("", {"cb_scope": "nope"}) == ("", {})


def test_the_period_chosen_is_the_period_of_the_next_page(app):
    old = "2024-06"                                   # not the newest month (2025-06) of handmade.py
    c = client(app, "admin")
    c.get(f"/chains/EI?period={old}")
    for path in ("/regions/360100", "/enterprises?region=360100"):
        assert f'data-testid="period-label" data-value="{old}"' in c.get(path).text, path
    assert c.get("/api/enterprises?region=360100").json()["period"] == P    # the API keeps its default
    c.get("/chains/EI?period=latest")
    assert f'data-testid="period-label" data-value="{P}"' in c.get("/regions/360100").text


def test_homes_and_the_province_link(app):
    city = client(app, "nc_city")
    r = city.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?region=360100"
    assert city.get("/?lang=en", follow_redirects=False).headers["location"] == "/?region=360100&lang=en"
    assert "江西省" in city.get("/?region=360000").text                   # the province, as asked
    assert client(app, "admin").get("/", follow_redirects=False).status_code == 200
    assert client(app, "ei_office").get("/", follow_redirects=False).headers["location"] == "/chains/EI"
    assert client(app, "ent3").get("/", follow_redirects=False).headers["location"] == "/my"
    assert client(app, "fin_unit").get("/", follow_redirects=False).headers["location"] == "/requests"
    assert client(app).get("/", follow_redirects=False).status_code == 200


def test_alert_sentence_and_message_in_words():
    from chainbrain.web.alerts_view import message, sentence, view

    figs = [{"period": "2026-10", "basis": "comparable", "index": 1.1085, "ratio": 0.7853, "n": 5,
             "revenue_ytd_yuan": 916_819_707.11, "chain": "AV"}]
    assert sentence(figs) == "2026年1–10月（可比口径）：可比累计指数 110.9%，为路径的 78.5%，企业 5 家，营业收入 9.17 亿元"
    assert message({"message_zh": "航空（2026-10为路径的78.5%）"}, "zh") == "航空（2026年1–10月为路径的78.5%）"
    alerts = [{"rule": "below_path", "severity": "high", "subject_kind": "chain", "subject": "AV", "subject_name": "航空",
               "period": "2026-10", "figures": figs},
              {"rule": "city_share_shrinking", "severity": "medium", "subject_kind": "city_chain", "subject": "360500",
               "subject_name": "新余市 · 新能源", "period": "2026-10", "figures": []}]
    prov = view(alerts, None, "zh")
    assert [a["severity_text"] for a in prov] == ["高", "中"]
    assert prov[0]["href"] == "/enterprises?period=2026-10&chain=AV" and prov[1]["href"] == "/?region=360500"
    xinyu = view(alerts, {"code": "360500", "level": "prefecture", "prefecture_code": None}, "zh")
    assert [a["subject"] for a in xinyu] == ["360500"]                   # province-wide chain alerts stay above
    assert view(alerts, {"code": "360100", "level": "prefecture", "prefecture_code": None}, "zh") == []


def test_error_pages_lead_with_chinese():
    from chainbrain.web.app import chinese_first

    assert chinese_first("unknown region code 999999 (未知地区代码 999999)") == "未知地区代码 999999（unknown region code 999999）"
    assert chinese_first("no Chinese here (none)") == "no Chinese here (none)"
    assert chinese_first("") == ""


def test_notes_and_task_history_in_words():
    """Bilingual notes show the page's language; a task's change log names actions, fields and values."""
    from chainbrain.web import task_history
    from chainbrain.web.format import one_language

    note = "overdue since 2026-10-09: escalated after 5 working days (逾期超过 5 个工作日，自动提级)"
    assert one_language(note) == "逾期超过 5 个工作日，自动提级"
    assert one_language(note, "en") == "overdue since 2026-10-09: escalated after 5 working days"
    assert one_language("逾期 25 个工作日未办结 / 25 working days overdue") == "逾期 25 个工作日未办结"
    assert one_language("请加快进度（本周内）") == "请加快进度（本周内）" and one_language(None) == ""
    rows = task_history.rows([
        {"at": "2026-09-29 10:00:00", "actor": "fin_unit", "action": "progress", "note": "30%: 方案起草中",
         "before": {"status": "assigned", "progress_pct": 0}, "after": {"status": "in_progress", "progress_pct": 30,
                                                                      "version": 2}},
        {"at": "2026-12-05 00:00:00", "actor": "supervision", "action": "escalate", "note": "overdue, chain",
         "before": {"escalation_level": 0}, "after": {"escalation_level": 2}},
        {"at": "2026-09-28 09:00:00", "actor": "ei_office", "action": "create", "note": None, "before": None,
         "after": {"title": "设立专项信贷产品", "region_code": "360102", "chain_code": "EI", "is_demo": False,
                   "assigner_scope": "chain:EI", "lead_person": None}}], "zh", {"360102": "东湖区", "EI": "电子信息"})
    assert [r["action"] for r in rows] == ["报送进展", "自动升级督办", "创建"]
    assert rows[0]["changes"] == "状态：已交办 → 推进中；完成进度 %：0 → 30"
    assert rows[1]["note"] == "逾期提醒、升级至链长办督办"
    assert rows[2]["changes"] == "工作任务：设立专项信贷产品；地区：东湖区；产业链：电子信息"
    assert not problems(" ".join(f"{r['action']} {r['changes']} {r['note']}" for r in rows))
