"""Every role's weekly tasks (../shared/USERS.md) walked in Debian's Chromium by clicking from its home (#22).

After sign-in no URL is typed: each step is a click on a link, a button or a selector, and
each page is checked for real content, for plain Chinese (the scan of tests/test_daily_plain.py
plus English status words) and, where the walk has one, for figures equal between the page and
its drill-down or download. Server: uvicorn over tests/web_fixture.py with the work tasks, two
attraction leads and the out-of-province firm filed under the gap segment EI-M2 (被动元件与传感器),
shared by every walk. Figures (handmade.py, 亿元):

- chain office EI, 2024年1–6月: E1 100 + E2 50 = 150 = the list's 1,000,000 + 500,000 万元;
- 南昌 2025年1–6月: 东湖区 E1 125 + E5 30 = 155, 西湖区 E2 40 + E6 10 = 50;
- 濂溪区 (lx_county): E3's request #1 answered there, then rated by E3.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

import web_fixture as W
from browser import new_page, serve, sign_in, sign_out
from test_daily_plain import problems, visible

pytestmark = pytest.mark.browser

#: English words a Chinese user must not meet as a status, action or label (beyond test_daily_plain's list)
ENGLISH = re.compile(r"(?<![A-Za-z_])(submitted|accepted|in_progress|answered|closed|submit|create|progress|escalate"
                     r"|overdue|unsourced|placeholder|Ranking|Probability|Revenue|County|no producer)(?![A-Za-z_])")
OUTSIDE_SEGMENT = "EI-M2"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from chainbrain.store import open_store

    db = W.build(tmp_path_factory.mktemp("walks") / "walks.duckdb", tasks=True)
    store = open_store(db)
    try:
        W.add_leads(store)
        with store.begin() as conn:                  # the outside firm makes 被动元件与传感器 (a gap) a target
            conn.execute(sa.text("INSERT INTO enterprise_segment (enterprise_id, segment_code, method, confidence, "
                                 "batch_id, revision) VALUES (:i, :s, 'manual', 1.0, 1, 1)"),
                         {"i": W.OUTSIDE_ID, "s": OUTSIDE_SEGMENT})
    finally:
        store.close()
    with serve(db, public_aggregates=True) as url:
        yield url


@pytest.fixture()
def page(browser, server):
    ctx, pg = new_page(browser, server)
    pg.set_default_timeout(90_000)                     # a cold first page on a shared CI machine
    yield pg
    ctx.close()
    assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)


# ------------------------------------------------------------------ helpers
def plain(pg, where: str) -> str:
    """The page's visible text, after checking it speaks plain Chinese."""
    text = visible(pg.content())
    found = problems(text) + [f"English word: …{text[max(0, m.start() - 30):m.end() + 10]}…"
                              for m in ENGLISH.finditer(text)]
    assert not found, (where, pg.url, found)
    return text


def click(pg, locator) -> None:
    """Click and wait for the page it opens."""
    with pg.expect_navigation():
        locator.first.click()
    pg.wait_for_load_state()


def nav(pg, name: str) -> None:
    click(pg, pg.get_by_test_id(f"nav-{name}"))


def period(pg) -> str:
    return pg.get_by_test_id("period-label").first.get_attribute("data-value")


def choose_period(pg, value: str) -> None:
    with pg.expect_navigation():
        pg.locator("select[name=period]").first.select_option(value)
    assert period(pg) == value


def list_rows(pg) -> dict[str, float]:
    """USCC → revenue (万元) of the enterprise list on screen."""
    rows = pg.locator("table[data-testid=ents-list] tbody tr[data-key]")
    keys = rows.evaluate_all("rs => rs.map(r => r.dataset.key)")
    vals = rows.locator("[data-field=revenue_ytd_yuan]").evaluate_all("cs => cs.map(c => c.innerText)")
    return {k: float(v.replace(",", "")) for k, v in zip(keys, vals)}


def download(pg, testid: str):
    with pg.expect_download() as dl:
        pg.get_by_test_id(testid).first.click()
    return openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active


def sheet_rows(ws, first: str) -> tuple[list, list]:
    """(header, data rows) of a sheet whose header row holds ``first`` (below the caption rows)."""
    at = next(i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if first in r)
    head = [c.value for c in ws[at]]
    return head, [r for r in ws.iter_rows(min_row=at + 1, values_only=True) if r[0] is not None]


def names(uids) -> set[str]:
    return {W.NAME[i] for i in uids}


# ------------------------------------------------------------------ 2. chain office
def test_chain_office_week(page, server):
    """链长办: its chain at a chosen period → the chain's enterprises (sum = the chain's revenue) → Excel
    → five lists → the overdue task behind the problem list → the task board → the chain's gaps."""
    pg = page
    sign_in(pg, server, "ei_office")
    assert pg.url == server + "/chains/EI" and "电子信息" in pg.get_by_test_id("headline").inner_text()
    choose_period(pg, "2024-06")
    kpi = float(pg.get_by_test_id("kpi-revenue").get_attribute("data-value"))
    assert kpi == pytest.approx(150 * 1e8)
    plain(pg, "chain page")
    click(pg, pg.get_by_test_id("chain-ents-link").locator("a"))
    assert period(pg) == "2024-06" and "2024年1–6月" in plain(pg, "chain enterprises")
    shown = list_rows(pg)
    total = int(pg.get_by_test_id("ent-total").get_attribute("data-value"))
    assert set(shown) <= {W.USCC[i] for i in (1, 2, 5)} and len(shown) == total >= 2
    assert sum(shown.values()) == pytest.approx(kpi / 1e4)           # 万元 on the list, yuan on the card
    ws = download(pg, "excel-enterprises")
    head, rows = sheet_rows(ws, "统一社会信用代码")
    assert "2024年1–6月" in ws["A1"].value and len(rows) == total
    col = head.index("营业收入（万元）")
    assert {r[head.index("统一社会信用代码")]: r[col] for r in rows} == pytest.approx(shown)
    # the five lists: the problem list carries the overdue task of the chain's meeting
    nav(pg, "lists")
    text = plain(pg, "five lists")
    assert all(W.NAME[i] in text for i in (1, 2, 5)) and W.NAME[3] not in text
    click(pg, pg.get_by_test_id("list-problems").locator("a", has_text="设立链上企业专项信贷产品"))
    text = plain(pg, "task page")
    assert "江西省地方金融管理局" in text and "逾期" in text and "方案起草中" in text
    # the task board: the chain's row of the red/yellow/green roll-up
    nav(pg, "tasks")
    assert pg.get_by_test_id("task-total").inner_text().startswith("1 项")
    assert "逾期" in plain(pg, "task board")
    # back home (the period is still the one chosen) and on to the chain's gaps
    nav(pg, "home")
    assert period(pg) == "2024-06"
    click(pg, pg.get_by_test_id("chain-attract-link").locator("a"))
    text = plain(pg, "gaps")
    assert "缺链" in text and "被动元件与传感器" in text
    sign_out(pg)


# ------------------------------------------------------------------ 3. city bureau
def test_city_bureau_week(page, server):
    """市工信局: its cockpit → compares its counties → one county's cockpit → that county's firms (sum = the
    county's revenue) → all its firms, none outside → its focus page → its tasks."""
    pg = page
    sign_in(pg, server, "nc_city")
    assert pg.url == server + "/?region=360100" and pg.get_by_test_id("headline").inner_text().startswith("南昌市")
    assert period(pg) == "2025-06"                       # the newest month on file, nothing chosen yet
    plain(pg, "city cockpit")
    rows = pg.get_by_test_id("region-table")
    assert rows.get_by_text("东湖区").count() == 1 and rows.get_by_text("西湖区").count() == 1
    dh = pg.get_by_test_id("region-row-360102")
    shown = dh.locator("[data-field=revenue_ytd_yuan]").inner_text()
    assert shown == "155.00"
    click(pg, dh.locator("a"))
    assert pg.get_by_test_id("headline").inner_text().startswith("东湖区") and period(pg) == "2025-06"
    assert float(pg.get_by_test_id("kpi-revenue").get_attribute("data-value")) == pytest.approx(155 * 1e8)
    plain(pg, "county cockpit")
    click(pg, pg.get_by_test_id("cockpit-region-ents"))
    got = list_rows(pg)
    assert set(got) == {W.USCC[1], W.USCC[5]} and sum(got.values()) == pytest.approx(155 * 1e4)
    plain(pg, "county enterprises")
    nav(pg, "enterprises")                               # the whole city: its four firms, none of 九江
    got = list_rows(pg)
    assert set(got) == {W.USCC[i] for i in (1, 2, 5, 6)}, got
    text = plain(pg, "city enterprises")
    assert W.NAME[3] not in text and W.NAME[4] not in text
    nav(pg, "home")
    click(pg, pg.get_by_test_id("cockpit-region-focus"))
    text = plain(pg, "focus")
    assert "南昌市" in pg.get_by_test_id("headline").inner_text() and "显示性比较优势 RCA" in text
    nav(pg, "tasks")
    text = plain(pg, "city tasks")
    assert "设立链上企业专项信贷产品" in text and "东湖区" in text
    sign_out(pg)


# ------------------------------------------------------------------ 3. county bureau
def test_county_bureau_never_sees_another_county(page, server):
    """县工信局 (东湖区): its cockpit at a chosen period → its enterprise list (E1, E5 only) → a search for
    every 手工样例 firm finds only its own → the chain row of its cockpit → its tasks, the one task of
    东湖区 → the scale-up list of the tier page."""
    pg = page
    sign_in(pg, server, "dh_county")
    assert pg.get_by_test_id("headline").inner_text().startswith("东湖区")
    choose_period(pg, "2024-06")
    assert float(pg.get_by_test_id("kpi-revenue").get_attribute("data-value")) == pytest.approx(100 * 1e8)
    plain(pg, "county cockpit")
    nav(pg, "enterprises")
    assert period(pg) == "2024-06"
    assert list_rows(pg) == {W.USCC[1]: 1_000_000.0}           # E5 had no report yet: E1's 100 亿 = the card
    nav(pg, "search")
    pg.locator("input[name=q]").first.fill("手工样例")
    click(pg, pg.locator("form button[type=submit], form input[type=submit]").last)
    text = plain(pg, "search")
    assert W.NAME[1] in text and all(W.NAME[i] not in text for i in (2, 3, 4, 6)), text
    nav(pg, "home")
    assert period(pg) == "2024-06"
    click(pg, pg.get_by_test_id("chain-row-EI").locator("a"))
    assert period(pg) == "2024-06" and list_rows(pg) == {W.USCC[1]: 1_000_000.0}
    nav(pg, "tasks")
    assert pg.get_by_test_id("task-total").inner_text().startswith("1 项")
    plain(pg, "county tasks")
    # 升规入统: the below-scale firms near the 20 million yuan line, from the tier page
    nav(pg, "cultivate")
    click(pg, pg.get_by_test_id("scaleup-link"))
    text = plain(pg, "scale-up")
    assert "2000 万元" in text and all(W.NAME[i] not in text for i in (2, 3, 4, 6))
    sign_out(pg)


# ------------------------------------------------------------------ 4. investment promotion
def test_investment_promotion_week(page, server):
    """招商: the chains → 电子信息 → its gaps → the targets of the gap segment → Excel (same firms, same
    rank) → mark a target as a lead."""
    pg = page
    sign_in(pg, server, "admin")
    nav(pg, "chains")
    assert period(pg) == "2025-06" and pg.get_by_test_id("period-label").inner_text() == "2025年1–6月"
    assert pg.get_by_test_id("period-select").count() == 1
    click(pg, pg.get_by_test_id("chains-table").locator("a", has_text="电子信息"))
    click(pg, pg.get_by_test_id("chain-attract-link").locator("a"))
    plain(pg, "gaps")
    click(pg, pg.get_by_test_id(f"targets-{OUTSIDE_SEGMENT}"))
    text = plain(pg, "targets")
    assert W.OUTSIDE_NAME in text and "广东" in text and "被动元件与传感器" in text
    shown = pg.get_by_test_id("targets-table").locator("tbody tr").evaluate_all(
        "rs => rs.map(r => r.innerText)")
    shown = [r for r in shown if W.OUTSIDE_NAME in r]
    assert len(shown) == 1
    n_shown = pg.get_by_test_id("targets-table").locator("tbody tr[data-key]").count() or len(shown)
    ws = download(pg, "excel-targets")
    cells = [" ".join(str(c) for c in r if c is not None) for r in ws.iter_rows(values_only=True)]
    assert sum(W.OUTSIDE_NAME in c for c in cells) == 1
    head, rows = sheet_rows(ws, next(h for h in ("企业", "企业名称") if any(h in r for r in ws.iter_rows(values_only=True))))
    assert len(rows) == n_shown                                   # the whole list, as on the page
    assert not any(problems(c) for c in cells), [problems(c) for c in cells if problems(c)]
    # the target goes on the lead list of the chain (the road trip's list)
    leads = pg.get_by_test_id("leads-table").locator("tbody tr[data-key]").count()
    click(pg, pg.get_by_test_id("targets-table").locator("button.mark-lead"))
    assert pg.get_by_test_id("leads-table").locator("tbody tr[data-key]").count() == leads + 1
    plain(pg, "targets with the new lead")
    sign_out(pg)


# ------------------------------------------------------------------ 5. SME and digital offices
def test_sme_and_digital_office_week(page, server):
    """中小企业处 / 数字化处: a period chosen on the cockpit → the tier funnel (南昌 × 电子信息: 3 firms in
    the library) = its Excel → 智改数转 at that period (南昌: 2 reporting firms in 2024年1–6月) → its own
    selector to 2025年1–6月 (4 firms) → the city's counties."""
    pg = page
    sign_in(pg, server, "admin")
    choose_period(pg, "2024-06")
    nav(pg, "cultivate")
    plain(pg, "funnel")
    row = pg.get_by_test_id("funnel-table").locator("tbody tr", has_text="南昌市").first
    assert "电子信息" in row.inner_text() and row.locator("td").nth(2).inner_text().strip() == "3"
    ws = download(pg, "excel-funnel")
    head, rows = sheet_rows(ws, "设区市")
    assert [r[2] for r in rows if r[0] == "南昌市" and r[1] == "电子信息"] == [3]
    nav(pg, "digital")
    assert period(pg) == "2024-06" and "2024年1–6月" in plain(pg, "digital coverage 2024")

    def firms_in_nanchang():
        return pg.get_by_test_id("coverage-table").locator("tr", has_text="南昌市").first.locator("td").nth(1)

    assert firms_in_nanchang().inner_text().strip() == "2"
    choose_period(pg, "2025-06")
    assert firms_in_nanchang().inner_text().strip() == "4" and "2025年1–6月" in plain(pg, "digital coverage")
    click(pg, firms_in_nanchang().locator("xpath=..").locator("a"))
    text = plain(pg, "digital city")
    assert pg.get_by_test_id("area").inner_text() == "南昌市" and "东湖区" in text and "西湖区" in text
    assert period(pg) == "2025-06"
    sign_out(pg)


# ------------------------------------------------------------------ 6. enterprise (with its county answering)
def test_enterprise_request_to_resolution(page, server):
    """企业: its own firm → submits a request → its county (濂溪区) accepts and answers it from its cockpit
    → the enterprise finds the answer on its page and rates it → records its digital self-assessment."""
    pg = page
    sign_in(pg, server, "ent3")
    assert pg.url == server + "/my" and pg.get_by_test_id("my-name").inner_text() == W.NAME[3]
    text = plain(pg, "my firm")
    assert "200.00" in text and "2025年1–6月" in text
    click(pg, pg.locator("a", has_text="提交诉求"))
    pg.get_by_test_id("req-title").fill("用电增容")
    pg.get_by_test_id("req-category").select_option(label="要素保障")      # routed to its county
    pg.get_by_test_id("req-description").fill("新产线需要增加用电容量")
    click(pg, pg.get_by_test_id("req-submit"))
    plain(pg, "new request")
    assert "濂溪区" in pg.get_by_test_id("request-route").inner_text()
    rid = pg.get_by_test_id("request-detail").get_attribute("data-key") or pg.url.rstrip("/").split("/")[-1]
    sign_out(pg)
    # the county's week: its requests, accepted and answered
    sign_in(pg, server, "lx_county")
    assert pg.get_by_test_id("headline").inner_text().startswith("濂溪区")
    nav(pg, "requests")
    plain(pg, "county requests")
    click(pg, pg.get_by_test_id(f"req-link-{rid}"))
    click(pg, pg.get_by_test_id("action-accept"))
    pg.get_by_test_id("input-answer").fill("已协调供电公司，本月内完成增容")
    click(pg, pg.get_by_test_id("action-answer"))
    assert pg.get_by_test_id("request-answer").inner_text().startswith("已协调供电公司")
    plain(pg, "answered request")
    sign_out(pg)
    # back to the enterprise: the answer, then a rating
    sign_in(pg, server, "ent3")
    click(pg, pg.locator("a", has_text="用电增容"))
    assert pg.get_by_test_id("request-answer").inner_text().startswith("已协调供电公司")
    form = pg.get_by_test_id("form-confirm")
    form.locator("select[name=rating]").select_option("5")
    click(pg, pg.get_by_test_id("action-confirm"))
    assert pg.get_by_test_id("request-rating").inner_text().startswith("5")
    plain(pg, "rated request")
    # its self-assessment, reached from the digital page
    nav(pg, "digital")
    click(pg, pg.get_by_test_id("self-link"))
    plain(pg, "self-assessment")
    pg.get_by_test_id("in-level").fill("2")
    click(pg, pg.get_by_test_id("self-submit"))              # posted, then the page reloads with it
    assert pg.get_by_test_id("own-table").locator("tbody [data-field=level]").all_inner_texts() == ["2"]
    plain(pg, "self-assessment saved")
    sign_out(pg)


# ------------------------------------------------------------------ viewer
def test_viewer_sees_aggregates_never_a_firm(page, server):
    """Viewer: the province → a city → a chain of that city: aggregates all the way, no enterprise list
    in the nav, no firm's name on any page, the chain row leading to the chain's figures."""
    pg = page
    sign_in(pg, server, "viewer")
    assert pg.get_by_test_id("headline").inner_text().startswith("江西省")
    assert pg.get_by_test_id("nav-enterprises").count() == 0
    choose_period(pg, "2024-06")                      # the province: E1 100 + E2 50 + E4 70
    assert float(pg.get_by_test_id("kpi-revenue").get_attribute("data-value")) == pytest.approx(220 * 1e8)
    seen = [plain(pg, "province")]
    row = pg.get_by_test_id("region-row-360100")
    n_row = row.locator("[data-field=above_scale_count]").inner_text()
    assert row.locator("[data-field=revenue_ytd_yuan]").inner_text() == "—*" and n_row == "2"
    click(pg, row.locator("a"))
    # 南昌 is two firms (E1, E2) in 2024年1–6月: withheld on the row and on the page it leads to alike
    assert pg.get_by_test_id("headline").inner_text().startswith("南昌市") and period(pg) == "2024-06"
    assert pg.get_by_test_id("kpi-revenue").inner_text().startswith("—*")
    assert pg.get_by_test_id("kpi-count").get_attribute("data-value") == n_row
    seen.append(plain(pg, "city"))
    # 电子信息 in 南昌 is the same two firms: the row and the chain page it leads to both withhold it
    row = pg.get_by_test_id("chain-row-EI")
    assert row.locator("[data-field=revenue_ytd_yuan]").inner_text() == "—*"
    n_row = row.locator("[data-field=above_scale_count]").inner_text()
    click(pg, row.locator("a"))
    assert period(pg) == "2024-06" and "/enterprises" not in pg.url
    assert pg.get_by_test_id("chain-region").inner_text() == "南昌市"
    assert pg.get_by_test_id("kpi-revenue").inner_text().startswith("—*")
    assert pg.get_by_test_id("kpi-count").get_attribute("data-value") == n_row == "2"
    assert pg.get_by_test_id("chain-ents-link").count() == 0
    seen.append(plain(pg, "chain in the city"))
    nav(pg, "chains")
    seen.append(plain(pg, "chains"))
    assert not [n for n in W.NAME.values() for t in seen if n in t]
    sign_out(pg)


COVERED = """() => [...document.querySelectorAll('.topnav a, .topnav button')].filter(a => {
    const r = a.getBoundingClientRect(), hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return !(hit && (hit === a || a.contains(hit)));
}).map(a => a.dataset.testid || a.textContent)"""


def test_no_nav_link_is_covered_at_common_widths(page, server):
    """The administrator has the longest nav (~20 links): on a 1920 and a 1366 px screen it wraps instead of
    running under the brand, so every link is where a click lands (merging a 修改密码 link broke that once)."""
    sign_in(page, server, "admin")
    for width in (1920, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(server + "/chains")
        assert page.evaluate(COVERED) == [], width


def test_a_paged_list_sorts_on_the_server_from_its_headers(page, server):
    """On a list paged on the server (a pager with sort choices before it) a header sorts every row
    through the server, not just the page shown; a header with no server choice does nothing."""
    sign_in(page, server, "admin")
    page.goto(server + "/tasks")
    head = page.locator("[data-testid=task-table] th[data-sort-field=deadline]")
    with page.expect_navigation():
        head.click()
    assert "sort=deadline" in page.url
    assert page.locator("[data-testid=task-table] th[data-sort-field=deadline]").get_attribute("data-sorted") == "asc"
    before = page.url
    page.locator("[data-testid=task-table] th").nth(2).click()          # 责任单位: no server sort
    page.wait_for_timeout(300)
    assert page.url == before
    page.goto(server + "/maps/EI/supply?period=2025-06")
    amount = page.locator("[data-testid=suppliers-table] th[data-sort-field=amount_yuan]")
    assert amount.get_attribute("data-sorted") == "desc"                  # the default: largest first
    with page.expect_navigation():
        amount.click()
    assert "suppliers_sort=amount_yuan" in page.url and "period=2025-06" in page.url
