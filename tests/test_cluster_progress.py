"""The annual cluster progress report workflow (work/cluster_progress.py) on DuckDB and PostgreSQL.

Web fixture users: nc_city (city 360100 南昌: CL-EI lists 南昌), admin (province), dh_county (a county).
CL-P-JA-EI lists 吉安 only: 南昌 may not draft it.
"""

from __future__ import annotations

import datetime as dt

import pytest

import handmade
import web_fixture as W
from chainbrain.web.users import _row_user, add_user, lookup
from chainbrain.work import cluster_progress as P
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed
from chainbrain.work.workflow import Refused


@pytest.fixture
def store(store_any):
    handmade.load(store_any)
    for name in ("admin", "nc_city", "dh_county", "ei_office"):
        role, kw = W.USERS[name]
        add_user(store_any, name, W.password(name), role, **kw)
    return store_any


def user(store, name):
    return _row_user(lookup(store, name))


def test_draft_submit_return_resubmit_approve(store):
    city, prov = user(store, "nc_city"), user(store, "admin")
    r = P.save_draft(store, city, "CL-EI", 2025, "  南昌电子信息集群 2025 年进展  ")
    assert (r["status"], r["city_code"], r["body"], r["version"], r["due"]) == (
        "draft", "360100", "南昌电子信息集群 2025 年进展", 1, "2026-03-31")
    r = P.save_draft(store, city, "CL-EI", 2025, "第二稿", version=1)
    assert r["version"] == 2 and r["body"] == "第二稿"
    with pytest.raises(Conflict):
        P.save_draft(store, city, "CL-EI", 2025, "旧版本", version=1)             # stale
    with pytest.raises(Refused):
        P.review(store, prov, "CL-EI", r["id"], "approve")                      # a draft is not reviewed
    r = P.submit(store, city, "CL-EI", r["id"], {"revenue_yuan": 195e8})
    assert r["status"] == "submitted" and r["figures"] == {"revenue_yuan": 195e8}
    assert r["late"] is (dt.date.today() > dt.date(2026, 3, 31))               # due 31 March of the next year
    with pytest.raises(Refused):
        P.save_draft(store, city, "CL-EI", 2025, "改")                          # submitted: no edits
    with pytest.raises(Invalid, match="field note"):
        P.review(store, prov, "CL-EI", r["id"], "return")                       # a return needs a note
    r = P.review(store, prov, "CL-EI", r["id"], "return", "补充配套率")
    assert r["status"] == "returned" and r["review_note"] == "补充配套率" and r["reviewed_by"] == "admin"
    r = P.save_draft(store, city, "CL-EI", 2025, "第三稿")
    r = P.submit(store, city, "CL-EI", r["id"], {})
    r = P.review(store, prov, "CL-EI", r["id"], "approve")
    assert r["status"] == "approved"
    with pytest.raises(Refused):
        P.submit(store, city, "CL-EI", r["id"], {})


def test_who_may_do_what(store):
    city, prov, county, office = (user(store, n) for n in ("nc_city", "admin", "dh_county", "ei_office"))
    with pytest.raises(NotAllowed):
        P.save_draft(store, city, "CL-P-JA-EI", 2025, "不是本市的集群")            # 吉安's cluster
    with pytest.raises(NotAllowed):
        P.save_draft(store, county, "CL-EI", 2025, "县")
    with pytest.raises(NotAllowed):
        P.save_draft(store, prov, "CL-EI", 2025, "省")
    r = P.save_draft(store, city, "CL-EI", 2025, "稿")
    with pytest.raises(NotAllowed):
        P.review(store, city, "CL-EI", r["id"], "approve")
    with pytest.raises(Missing):
        P.reports(store, office, "CL-EI", 2025)                                  # other roles: out of scope
    with pytest.raises(Missing):
        P.submit(store, prov, "CL-EI", r["id"], {})                              # only the drafting city
    with pytest.raises(Missing):
        P.reports(store, city, "CL-NOPE", 2025)
    with pytest.raises(Invalid, match="field year"):
        P.save_draft(store, city, "CL-EI", "20x5", "稿")
    with pytest.raises(Invalid, match="field body"):
        P.save_draft(store, city, "CL-EI", 2025, "   ")
    assert [x["city_code"] for x in P.reports(store, prov, "CL-EI", 2025)["reports"]] == ["360100"]
    assert P.reports(store, city, "CL-EI", 2025)["may_draft"] is True
    assert P.reports(store, prov, "CL-EI", 2025)["may_review"] is True
    with store.engine.connect() as conn:
        assert P.cities_of(conn, "CL-P-NK-FN") == {"360700"}                    # 南康区 → 赣州
