"""The provincial guidance fund (省现代产业引导基金; working mode 链主+基金): the mother fund and
its sub-funds with size and government contribution, investments into enterprises, leverage,
follow-on projects and the output of the invested enterprises.

Formulas (yuan; ratios and leverage are plain numbers; UNSOURCED — no reference fixes how the
province counts leverage, so this is ChainBrain's documented choice):

- a fund's government share = government ÷ size (a fraction);
- government money in an investment = amount × the fund's government share (pro rata);
- social capital mobilised by an investment = amount + co-investment − its government money;
- **leverage** of a fund or group = Σ social capital ÷ Σ government money in its investments
  (social capital mobilised per yuan of government money). Example (tested): size 10 亿, government
  3 亿; an investment of 1 亿 with 2 亿 co-investment → government 0.3 亿, social 2.7 亿, leverage 9.0.
- a sub-fund's totals include only its own investments; the mother fund's include its direct
  investments and all its sub-funds'.
- **output stock** = Σ revenue (``annual_report``, newest revision) in a year of the distinct
  invested enterprises the caller may see one by one, with how many of the invested enterprises
  that covers; figures of enterprises the caller may not see are not added (so no disclosure
  control is needed).

Scope: every reader role (not anonymous) sees the funds and their totals — the fund's own
records, not enterprise statistics. Investment rows: the province — all; a chain office — its
chain's; a city or county bureau — its region's; an enterprise — its own; viewer and unit — none.
An investee that is an enterprise is named only to callers who may see it. Changes: the province
(funds, any investment) and the chain's office (its chain's investments).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from chainbrain.store.schema_work_programs import work_fund as fund_t
from chainbrain.store.schema_work_programs import work_fund_investment as inv_t
from chainbrain.work import program_base as pb
from chainbrain.work import records
from chainbrain.work import task_scope as scope
from chainbrain.work.records import Invalid, Missing, NotAllowed
from chainbrain.work.task_write import _date, _now, _text

ENTITY = ("fund", "基金")
INV_ENTITY = ("fund investment", "基金投资")
READERS = ("province_admin", "chain_office", "city", "county", "unit", "viewer", "enterprise")


class FundNotFound(Missing):
    def __str__(self) -> str:
        return "fund not found or outside your scope (未找到该基金，或不在您的权限范围内)"


def investment_where(conn, user):
    """Condition on ``work_fund_investment`` for the rows ``user`` may read."""
    if user is None:
        return sa.false()
    if user.role == "province_admin":
        return sa.true()
    if user.role == "chain_office":
        return inv_t.c.chain_code == user.chain_code
    if user.role in ("city", "county"):
        return scope._region_cond(inv_t.c.region_code, user)
    own = pb.own_enterprise(conn, user)
    if own is not None:
        return inv_t.c.enterprise_id == own[0]
    return sa.false()


def _dec(v) -> Decimal:
    return Decimal(str(v or 0))


def create_fund(conn, user, data: dict, is_demo: bool = False) -> int:
    """A fund (the province only): name, size, government (yuan), set_up_on, parent_id, chain_code, manager."""
    if user is None or user.role != "province_admin":
        raise NotAllowed("only the province sets up guidance funds (只有省级可以登记引导基金)")
    size, gov = pb.money(data.get("size"), "size 基金规模"), pb.money(data.get("government"), "government 政府出资")
    if size <= 0 or gov > size:
        raise Invalid("government must be at most the size, and the size positive (government 政府出资不能超过基金规模)")
    parent = int(data["parent_id"]) if data.get("parent_id") else None
    if parent is not None and not conn.execute(sa.select(fund_t.c.id).where(fund_t.c.id == parent)).first():
        raise Invalid(f"parent_id: no fund {parent} (parent_id：母基金不存在)")
    chain = data.get("chain_code") or None
    if chain:
        pb.check_chain(conn, chain)
    fid = records.new_id(conn, "work_fund")
    values = dict(id=fid, name=_text(data.get("name"), "name 基金名称", 200), parent_id=parent, chain_code=chain,
                  manager=_text(data.get("manager"), "manager 管理机构", 200, False), size=size, government=gov,
                  set_up_on=_date(data.get("set_up_on"), "set_up_on 设立日期"), **pb.stamp(user, is_demo))
    conn.execute(fund_t.insert().values(**values))
    records.trail(conn, user, "work_fund", fid, "create", None,
                  {k: (str(v) if isinstance(v, (Decimal, dt.date)) else v) for k, v in values.items()
                   if k not in ("created_at", "updated_at")})
    return fid


def invest(conn, user, fund_id, version, data: dict, is_demo: bool = False) -> int:
    """An investment of fund ``fund_id`` (its ``version`` is checked and raised: two offices
    recording against the same fund never overwrite each other). ``data``: investee,
    enterprise_id, amount, co_invest, invested_on, chain_code, segment_code, region_code,
    project_id, follow_on."""
    f = _fund(conn, user, fund_id)
    if user.role not in ("province_admin", "chain_office"):
        raise NotAllowed("only the province or the chain's office records fund investments (只有省级或本链链长办可以登记基金投资)")
    chain = pb.check_chain(conn, data.get("chain_code") or f.chain_code or getattr(user, "chain_code", None))
    if not pb.manages_chain(user, chain):
        raise NotAllowed("only the province or the chain's office records fund investments (只有省级或本链链长办可以登记基金投资)")
    sent = records.require_version(version)
    if sent != f.version:
        raise records.Conflict(ENTITY, int(f.id), f.version, sent)
    eid = int(data["enterprise_id"]) if data.get("enterprise_id") else None
    region = data.get("region_code")
    if eid is not None:
        e = conn.execute(sa.text("SELECT name, region_code FROM enterprise WHERE id = :i"), {"i": eid}).first()
        if e is None:
            raise Invalid(f"enterprise_id: no enterprise {eid} (enterprise_id：企业不存在)")
        region = region or e[1]
        investee = data.get("investee") or e[0]
    else:
        investee = data.get("investee")
    pb.check_region(conn, region)
    project = int(data["project_id"]) if data.get("project_id") else None
    if project is not None and not conn.execute(sa.text("SELECT 1 FROM work_project WHERE id = :p"), {"p": project}).scalar():
        raise Invalid(f"project_id: no key project {project} (project_id：重点项目不存在)")
    amount = pb.money(data.get("amount"), "amount 投资金额")
    if amount <= 0:
        raise Invalid("amount must be positive (amount 投资金额应大于 0)")
    iid = records.new_id(conn, "work_fund_investment")
    values = dict(id=iid, fund_id=int(f.id), enterprise_id=eid, investee=_text(investee, "investee 被投企业", 200),
                  amount=amount, co_invest=pb.money(data.get("co_invest") or 0, "co_invest 社会资本跟投"),
                  invested_on=_date(data.get("invested_on"), "invested_on 投资日期"), chain_code=chain,
                  segment_code=data.get("segment_code") or None, region_code=region, project_id=project,
                  follow_on=_text(data.get("follow_on"), "follow_on 后续项目", 2000, False), **pb.stamp(user, is_demo))
    conn.execute(inv_t.insert().values(**values))
    v = records.update_versioned(conn, fund_t, int(f.id), f.version, {"updated_at": _now()}, ENTITY)
    records.trail(conn, user, "work_fund", int(f.id), "invest", {"version": f.version},
                  {"investment": iid, "amount": str(amount), "co_invest": str(values["co_invest"]),
                   "invested_on": values["invested_on"].isoformat(), "chain_code": chain, "version": v})
    return iid


def _fund(conn, user, fund_id):
    try:
        fid = int(fund_id)
    except (TypeError, ValueError):
        raise Invalid("fund_id must be an integer (fund_id 应为整数)") from None
    r = conn.execute(sa.select(fund_t).where(fund_t.c.id == fid)).first() if user and user.role in READERS else None
    if r is None:
        raise FundNotFound()
    return r


def leverage(rows, funds: dict) -> dict:
    """Totals of investment ``rows`` (amount, co_invest, fund_id) with the module's formulas."""
    amount = co = gov = Decimal(0)
    for r in rows:
        f = funds[int(r.fund_id)]
        a = _dec(r.amount)
        amount += a
        co += _dec(r.co_invest)
        gov += a * _dec(f.government) / _dec(f.size)
    social = amount + co - gov
    return {"investments": len(rows), "invested_yuan": float(amount), "co_invest_yuan": float(co),
            "government_invested_yuan": float(gov), "social_yuan": float(social),
            "leverage": float(social / gov) if gov else None}


def _output(conn, eids: list[int], year: int | None):
    if not eids:
        return year, 0.0, 0
    year = year or conn.execute(sa.text("SELECT MAX(year) FROM annual_report")).scalar()
    if year is None:
        return None, 0.0, 0
    ids = ", ".join(map(str, sorted(eids)))
    rows = conn.execute(sa.text(
        "SELECT a.enterprise_id, a.revenue FROM annual_report a WHERE a.year = :y AND a.enterprise_id IN (" + ids + ") "
        "AND a.revision = (SELECT MAX(b.revision) FROM annual_report b WHERE b.enterprise_id = a.enterprise_id "
        "AND b.year = a.year)"), {"y": int(year)}).all()
    return int(year), float(sum(_dec(r[1]) for r in rows)), len(rows)


def funds_overview(store, user, fund_id=None, year: int | None = None, visible=lambda ids: set(),
                   lang: str = "zh") -> dict:
    """Every fund with its totals; with ``fund_id`` one fund, its sub-funds and the investment rows
    the caller may read."""
    if user is None or user.role not in READERS:
        raise FundNotFound()
    with store.engine.connect() as conn:
        funds = {int(f.id): f for f in conn.execute(sa.select(fund_t).order_by(fund_t.c.id))}
        one = _fund(conn, user, fund_id) if fund_id is not None else None
        invs = conn.execute(sa.select(inv_t).order_by(inv_t.c.invested_on, inv_t.c.id)).all()
        readable = {int(r.id) for r in conn.execute(sa.select(inv_t.c.id).where(investment_where(conn, user)))}
        chains = {c: n for c, n in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
        regions = {c: n for c, n in conn.execute(sa.text("SELECT code, name FROM region"))}
        eids = sorted({int(r.enterprise_id) for r in invs if r.enterprise_id is not None})
        seen = visible(eids) if eids else set()
        children = {fid: [k for k, f in funds.items() if f.parent_id == fid] for fid in funds}

        def family(fid):
            out = {fid}
            for k in children[fid]:
                out |= family(k)
            return out

        def view(f):
            fam = family(int(f.id))
            rows = [r for r in invs if int(r.fund_id) in fam]
            invested = sorted({int(r.enterprise_id) for r in rows if r.enterprise_id is not None})
            yr, stock, covered = _output(conn, [e for e in invested if e in seen], year)
            return {"id": int(f.id), "name": f.name, "parent_id": f.parent_id, "chain_code": f.chain_code,
                    "chain_name": chains.get(f.chain_code), "manager": f.manager, "size_yuan": float(f.size),
                    "government_yuan": float(f.government),
                    "government_share": float(_dec(f.government) / _dec(f.size)) if f.size else None,
                    "set_up_on": f.set_up_on.isoformat(), "version": f.version, **leverage(rows, funds),
                    "invested_enterprises": len(invested), "output_year": yr, "output_stock_yuan": stock,
                    "output_covered": covered}

        items = [view(f) for f in funds.values()]
        out = {"items": items, "total": len(items), "unit": "yuan; shares are fractions; leverage is yuan per yuan",
               "can_create": user.role == "province_admin"}
        if one is not None:
            rows = [r for r in invs if int(r.fund_id) in family(int(one.id)) and int(r.id) in readable]
            out["fund"] = view(one)
            out["sub_funds"] = [x for x in items if x["parent_id"] == int(one.id)]
            out["investments"] = [{
                "id": int(r.id), "fund_id": int(r.fund_id), "fund_name": funds[int(r.fund_id)].name,
                "investee": pb.party(r.enterprise_id, r.investee, seen, lang), "amount_yuan": float(r.amount),
                "co_invest_yuan": float(r.co_invest), "invested_on": r.invested_on.isoformat(),
                "chain_code": r.chain_code, "chain_name": chains.get(r.chain_code), "segment_code": r.segment_code,
                "region_code": r.region_code, "region_name": regions.get(r.region_code), "project_id": r.project_id,
                "follow_on": r.follow_on} for r in rows]
            out["investments_hidden"] = sum(1 for r in invs if int(r.fund_id) in family(int(one.id))) - len(rows)
            out["can_invest"] = user.role == "province_admin" or (user.role == "chain_office" and (
                one.chain_code in (None, user.chain_code)))
            out["history"] = records.history(conn, "work_fund", int(one.id)) if user.role == "province_admin" else []
    return out
