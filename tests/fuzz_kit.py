"""Schemathesis over the app's whole OpenAPI document, as every role and anonymous (issue #20).

:func:`fuzz` draws ``examples`` cases per operation from schemathesis's strategies (valid by
the schema, and — where the schema allows it — invalid ones), sends each with the client of
one role in turn (anonymous, then each signed-in user), and returns what broke the rules:

- a server error (status ≥ 500);
- a 422 (FastAPI's validation errors are answered 400);
- a 4xx whose body is JSON (every answer under ``/api``) but not ``{"detail": "English (中文)"}``.

Pages (outside ``/api``) may answer a 4xx with the bilingual HTML error page. Sign-out routes
are left out (they would end the role's session for the cases after them). Used by
tests/test_web_fuzz.py (a few examples, CI) and benchmarks/fuzz_api.py (many, by hand).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from fastapi.testclient import TestClient

import web_fixture as W

#: "English (中文)": a message with English words, ended by a parenthesised part holding Chinese
#: (the English part may name a field by its Chinese label, "title 政策名称 is required (…)")
BILINGUAL = re.compile(r"^(?=.*[A-Za-z]).*\S \([^()]*[\u4e00-\u9fff][^()]*\)$", re.S)
SKIP = {("POST", "/logout"), ("POST", "/api/logout")}
ROLES = [None] + list(W.USERS)


@dataclass
class Finding:
    role: str | None
    method: str
    url: str
    status: int
    body: str
    rule: str
    sent: str = ""                                  # the request's body (JSON or form), to replay it

    def __str__(self) -> str:
        sent = f" with {self.sent[:300]}" if self.sent else ""
        return f"[{self.rule}] {self.role or 'anonymous'} {self.method} {self.url}{sent} → {self.status}: {self.body[:300]}"


@dataclass
class Report:
    requests: int = 0
    unsendable: int = 0
    statuses: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    slowest: list = field(default_factory=list)
    per_operation: dict = field(default_factory=dict)        # "METHOD path" → seconds


def clients(app, roles=ROLES, passwords=None) -> dict:
    """One TestClient per role (None: anonymous), signed in with ``passwords[name]`` (default: the
    fixture's passwords)."""
    out = {}
    for name in roles:
        c = TestClient(app, raise_server_exceptions=False)
        if name:
            pw = (passwords or {}).get(name) or W.password(name)
            r = c.post("/api/login", json={"username": name, "password": pw})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        out[name] = c
    return out


def check(role, method: str, url: str, path: str, response) -> Finding | None:
    """The rule a response breaks, or None."""
    status, body = response.status_code, response.text
    if status >= 500:
        return Finding(role, method, url, status, body, "server error")
    if status == 422:
        return Finding(role, method, url, status, body, "422")
    if 400 <= status < 500:
        is_json = "json" in response.headers.get("content-type", "")
        if path.startswith("/api") and not is_json:
            return Finding(role, method, url, status, body, "API error not JSON")
        if is_json:
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                return Finding(role, method, url, status, body, "error body not an object")
            if not isinstance(detail, str) or not BILINGUAL.match(detail):
                return Finding(role, method, url, status, body, "detail not 'English (中文)'")
    return None


def _send(client: TestClient, kw: dict):
    """The request schemathesis built (requests-style keywords) through the role's client."""
    args = {"params": kw.get("params"), "headers": {k: v for k, v in (kw.get("headers") or {}).items()
                                                    if k.lower() not in ("cookie", "connection")}}
    if kw.get("json") is not None or "json" in kw:
        args["json"] = kw["json"]
    if kw.get("files"):
        args["files"] = kw["files"]
        if kw.get("data"):
            args["data"] = kw["data"]
    elif kw.get("data") is not None:
        data = kw["data"]
        if isinstance(data, (bytes, str)):
            args["content"] = data
        else:
            args["data"] = data
    return client.request(kw["method"], kw["url"], **args)


def fuzz(app, examples: int = 3, roles=ROLES, seed: int = 20, budget_s: float | None = None,
         only: str | None = None, passwords: dict | None = None, progress=None) -> Report:
    """Run schemathesis over ``app``'s OpenAPI document; see the module docstring."""
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    # the document made once beforehand (FastAPI keeps it), and read with a long timeout: in a full CI
    # run the loader's default 10 s once ran out (the same read takes 0.6 s alone)
    app.openapi()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, timeout=120)
    cs = clients(app, roles, passwords)
    rep = Report()
    turn = [0]
    t0 = time.perf_counter()
    ops = [r.ok() for r in schema.get_all_operations()]
    for i, op in enumerate(ops):
        if progress is not None:
            progress(i, len(ops), op.method.upper(), op.path, rep)
        method, path = op.method.upper(), op.path
        if (method, path) in SKIP or (only and only not in path):
            continue
        if budget_s is not None and time.perf_counter() - t0 > budget_s:
            break
        strategies = [op.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        try:
            neg = op.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            strategies.append(neg)
        except Exception:                          # nothing in the schema to break
            pass

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(*strategies))
        @hypothesis.seed(seed)
        def run(case):
            role = roles[turn[0] % len(roles)]
            turn[0] += 1
            kw = case.as_transport_kwargs(base_url="http://testserver")
            started = time.perf_counter()
            try:
                r = _send(cs[role], kw)
            except (ValueError, TypeError, UnicodeError) as exc:   # the client cannot encode it
                rep.unsendable += 1
                return
            took = time.perf_counter() - started
            rep.requests += 1
            rep.statuses[r.status_code] = rep.statuses.get(r.status_code, 0) + 1
            rep.slowest = sorted(rep.slowest + [(took, method, kw["url"][:120])], reverse=True)[:10]
            f = check(role, method, str(r.request.url), path, r)
            if f is not None:
                f.sent = repr(kw.get("json", kw.get("data", "")))
                rep.findings.append(f)

        started_op = time.perf_counter()
        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            pass
        rep.per_operation[f"{method} {path}"] = time.perf_counter() - started_op
    for c in cs.values():
        c.close()
    rep.seconds = time.perf_counter() - t0
    return rep
