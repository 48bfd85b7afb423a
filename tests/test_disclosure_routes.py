"""Every JSON route is either fetched by the differencing attacker (``test_disclosure_attack.py``)
or explained: why its figures are not KPI-family tables, or which other test covers them."""
from __future__ import annotations

from chainbrain.web import create_app


#: JSON routes the attacker fetches (test_disclosure_attack.py), and the others with why they are not KPI-family tables
ATTACKED = {"/api/cockpit", "/api/kpi", "/api/chains", "/api/chains/{code}", "/api/regions/{code}",
            "/api/operations", "/api/focus/{region}"}
NOT_ATTACKED = {
    "/api/health": "no figures", "/api/live": "no figures", "/api/me": "the caller's account", "/api/login": "sign-in",
    "/api/logout": "sign-in", "/api/password": "the caller's own password (test_password_change)",
    "/api/search": "names; enterprises filtered by scope (test_web_scope)",
    "/api/enterprises/{uscc}": "one enterprise, scope-checked (test_web_scope)",
    "/api/enterprises": "the viewer's own enterprises one by one (test_web_scope); the scope's comparable sums and "
                        "contribution_pp only when the viewer sees the whole comparable sample or the Guard "
                        "publishes the cell's cc and cb (test_web_enterprise_list)",
    "/api/audit": "administrators only", "/api/audit/export": "administrators only",
    "/api/imports": "administrators only",
    "/api/imports/{job_id}": "administrators only", "/api/imports/{job_id}/confirm": "administrators only",
    "/api/imports/{job_id}/errors": "administrators only", "/api/imports/{job_id}/cancel": "administrators only",
    "/openapi.json": "no figures",
    "/api/my": "an enterprise's own figures, and its chain's and county's KPI through the viewer's Guard "
               "(the pattern /api/kpi is attacked with)",
    # 四图 (issue #13): their revenue cells are cells of the attacked pages, through the same Guard
    "/api/maps": "links only",
    "/api/maps/{chain}/chain": "segment revenue = the chain page's segment cells and pattern (test_maps_web checks "
                               "they agree); supply rates under analytics.flow_disclosure; counts ordinal",
    "/api/maps/{chain}/regions": "county × chain revenue = the region pages' cells and pattern (test_maps_web checks "
                                 "they agree); counts and presence ordinal",
    "/api/maps/{chain}/roadmap": "pack data, no statistics", "/api/maps/{chain}/fields": "pack data; observed sales by "
                                 "buyer chain under the flow primary rule, no total published",
    "/api/maps/{chain}/supply": "supply flows under analytics.flow_disclosure (test_maps_analytics, test_maps_web); "
                                "firm level for the province and the chain office only",
    "/api/attract/{chain}": "gaps: revenue and LQ (the focus table's RCA) follow the focus cells' pattern that "
                            "/api/focus/{region} is attacked with; supply amounts and one-firm shares are withheld "
                            "from aggregate viewers (test_attract_web)",
    # 梯度培育 (issue #15) and 分析报告 (issue #18)
    "/api/cultivate/funnel": "counts of designated enterprises (the designation lists are published by MIIT and the "
                             "province), no money (test_cultivate_web)",
    "/api/cultivate/renewals": "the viewer's own enterprises one by one (policy.visible_ids; test_cultivate_web)",
    "/api/cultivate/match": "needs of buyers the viewer may see, suppliers named only when visible (others "
                            "counted as hidden), counts of needs/proposals/outcomes, no money (test_cultivate_match_web)",
    "/api/cultivate/match/needs": "a form post: enters one need for a buyer the caller may act for, returns its id",
    "/api/cultivate/match/events": "a form post: records one outcome for a supplier the caller may see",
    "/api/cultivate/check": "the caller's own input scored, nothing read from the store or kept",
    # 企业库复核 (issue #19)
    "/api/library/review": "province admin and chain offices only; firms one by one filtered by policy.visible_ids, "
                           "counts of queued firms per chain, no money (test_library_review)",
    "/api/cultivate/scale-up": "the viewer's own enterprises one by one (policy.visible_ids), counts made from those "
                               "firms only (test_scaleup_web)",
    # 智改数转网联 (issue #16)
    "/api/digital/coverage": "counts of enterprises assessed and at level ≥ 2 (administrative assessment records, "
                             "not survey data), no money (test_digital_web)",
    "/api/digital/targets": "target progress as counts; the firms to reach are the viewer's own enterprises one by "
                            "one (policy.visible_ids; test_digital_web, test_web_scope)",
    "/api/digital/benchmarks": "titles (published lists) of the viewer's own enterprises one by one, and totals "
                               "(test_digital_web)",
    "/api/digital/scenarios": "counts of adopting firms and providers per scenario; adopters are the viewer's own "
                              "enterprises one by one (test_digital_web)",
    "/api/digital/self-assessment": "the caller's own firm's input, stored; nothing read back but its echo",
    "/api/digital/providers": "counts of projects and firms per provider; the firms' mean rating of a provider (one "
                              "figure per provider, never broken down) withheld when 1–2 rating firms are outside the "
                              "viewer's view (analytics.digital_providers.rating_withheld); projects are the viewer's "
                              "own enterprises one by one (test_digital_web)",
    "/api/reports": "the list of reports a viewer may download; each document is written through the viewer's Guard "
                    "and equals the cockpit's published figures (test_report_scope, test_report_web)",
    "/api/reports/jobs": "starts writing a report of /api/reports in the background, as the caller may see it "
                         "(the same Guard; test_report_web)",
    "/api/reports/jobs/{job_id}": "a job's progress and link, only to the user who started it (test_report_web)",
    "/api/attract/{chain}/targets": "firm-level list, province and chain office only (test_attract_web)",
    "/api/attract/{chain}/masters": "firm-level list, province and chain office only (test_attract_web)",
    "/api/attract/leads": "administrative records, province and chain office only (test_attract)",
    "/api/attract/leads/{lead_id}": "administrative records, province and chain office only (test_attract)",
    "/api/attract/leads/{lead_id}/{action}": "administrative records, province and chain office only",
    # 先进制造业集群 (issue #17)
    "/api/clusters": "cluster sums over member firms under analytics.cluster_disclosure (primary rule, nested "
                     "clusters, complementary star cells) for the viewer's visible firms (test_web_clusters)",
    "/api/clusters/{code}": "the same cluster figures, the monitoring engine's cluster-scope figures by their firm "
                            "counts, star cells with their complement (test_web_clusters, test_cluster_rules)",
    "/api/clusters/{code}/progress": "progress reports (administrative records of a city and the province, "
                                     "scope-checked); their figures are /api/clusters/{code}'s for the caller",
    "/api/clusters/{code}/progress/{report_id}/submit": "a city's own report; figures as /api/clusters/{code}",
    "/api/clusters/{code}/progress/{report_id}/review": "province only; administrative record",
    "/api/lists": "the five lists: figures of single enterprises the caller may see one by one (as the chain "
                  "page's key enterprises) and work records (test_web_scope, test_work_programs)",
}
#: the work system (issue #14): administrative work records — requests, tasks, meetings, notices,
#: organisation, key projects, the inbox — not statistical survey data; every one is scope-checked
#: per role in test_web_scope.py and the work suites (404 outside the caller's scope)
WORK_RECORDS = ("/api/requests", "/api/request-groups", "/api/request-categories", "/api/tasks", "/api/meetings",
                "/api/notices", "/api/organisation", "/api/projects", "/api/inbox",
                "/api/rd", "/api/funds", "/api/policies")     # funds: the output stock adds only firms seen one by one


def test_every_json_route_is_attacked_or_explained(tmp_path):
    """Enumerated like test_web_scope.py: a new JSON route must join the attack or say why not."""
    from test_web_scope import routes

    import web_fixture as W
    app = create_app(W.build(tmp_path / "routes.duckdb"), public_aggregates=True)
    paths = {p for m, p in routes(app) if m == "GET" and (p.startswith("/api") or p == "/openapi.json")}
    paths |= {p for m, p in routes(app) if p.startswith("/api")}
    unknown = {p for p in paths - ATTACKED - set(NOT_ATTACKED)
               if not any(p == w or p.startswith(w + "/") for w in WORK_RECORDS)}
    assert not unknown, f"JSON routes neither attacked nor explained: {sorted(unknown)}"
    assert ATTACKED <= paths
