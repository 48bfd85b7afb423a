"""The web application factory: ``create_app(db, public_aggregates=False)``.

Opens the store once, mounts the offline static assets at ``/static``,
registers the JSON API (:mod:`chainbrain.web.api`) and the pages
(:mod:`chainbrain.web.views`), and turns the two expected failures into
bilingual answers: a bad parameter → 400, aggregates not public → 401
(JSON under ``/api``, an HTML page elsewhere). ``/docs`` and ``/redoc`` are
off (they load from a CDN); ``/openapi.json`` documents the API.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from chainbrain import __version__
from chainbrain.store import open_store
from chainbrain.web import api
from chainbrain.web import format as fmt
from chainbrain.web import auth, errors
from chainbrain.web.errors import bilingual
from chainbrain.web.auth import SignInRequired
from chainbrain.web.disclosure import MIN_CELL
from chainbrain.web.carry import CarryPeriod
from chainbrain.web.admission import Busy
from chainbrain.web.stale import StaleLabel
from chainbrain.web.pending import REFRESH_S, Pending
from chainbrain.web.disconnect import CancelOnDisconnect
from chainbrain.web.i18n import both, lang_of, strings
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import NotVisible
from chainbrain.web.pool import connection_lost
from chainbrain.web.state import WebState
from chainbrain.web.views import audit, chains, cockpit, enterprises, imports, regions, search
from chainbrain.web.views import auth as auth_views
from chainbrain.web.views import password as password_views

HERE = Path(__file__).resolve().parent


def templates() -> Jinja2Templates:
    tpl = Jinja2Templates(directory=str(HERE / "templates"))
    tpl.env.filters.update(yi=fmt.yi, pct=fmt.pct, count=fmt.count, raw=fmt.raw)
    return tpl


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, title_key: str, message: str) -> HTMLResponse:
    from chainbrain.web.render import context

    lang = lang_of(request.query_params.get("lang"))
    ctx = {**context(request), "t": strings(lang), "lang": lang, "title_key": title_key,
           "message": chinese_first(message) if lang != "en" else message, "status": status}
    return request.app.state.templates.TemplateResponse(request, "error.html", ctx, status_code=status)


_BILINGUAL = __import__("re").compile(r"^(?P<en>.*?\S)\s*\((?P<zh>[^()]*[\u4e00-\u9fff][^()]*)\)$", __import__("re").S)


def chinese_first(message: str) -> str:
    """"English (中文)" → "中文（English）" for a page in Chinese; anything else unchanged."""
    m = _BILINGUAL.match(message or "")
    return f"{m['zh']}（{m['en']}）" if m else message


def _answer(request: Request, status: int, title_key: str, body_key: str):
    message = both(body_key)
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return _error_page(request, status, title_key, message)


def _database_answer(request: Request, exc: Exception):
    """A database failure as one bilingual 503 (server unreachable or restarting) or 504 (statement
    timeout); any other database error is the program's and goes on to the 500 handler."""
    orig = getattr(exc, "orig", exc)
    if isinstance(exc, (sa.exc.DataError, sa.exc.IntegrityError)):   # a value the store refuses: the request's fault
        import logging

        logging.getLogger("chainbrain.web").warning("store refused a value: %s", orig)
        status = 400 if isinstance(exc, sa.exc.DataError) else 409
        return refusal(request, status, "The store refused a value of this request: out of range, of the wrong "
                                        "type, missing or a duplicate (数据库拒绝了请求中的值：超出范围、类型不符、缺失或重复)")
    if isinstance(orig, psycopg.errors.QueryCanceled):
        return _answer(request, 504, "timeout_title", "timeout_body")
    if connection_lost(exc) or isinstance(orig, psycopg.OperationalError):
        return _answer(request, 503, "unavailable_title", "unavailable_body")
    raise exc


def create_app(db: str, public_aggregates: bool = False, min_cell: int = MIN_CELL,
               secure_cookies: bool = False, trusted_proxies=(), control: bool = False) -> FastAPI:
    """A ChainBrain web app over the store ``db`` (DuckDB file path or postgresql:// URL).

    ``public_aggregates``: serve aggregate figures to anonymous visitors (the
    demo does); otherwise pages and data endpoints answer 401.
    ``min_cell``: aggregates built from fewer enterprises are withheld from
    viewers who cannot see those enterprises individually (Statistics Law;
    DESIGN.md §4; :mod:`chainbrain.web.policy`).
    ``secure_cookies``: ``Secure`` + ``__Host-`` cookies and HSTS (deployments behind HTTPS;
    :mod:`chainbrain.web.headers`, which also sets the CSP and ``Cache-Control: no-store``).
    ``trusted_proxies``: addresses or CIDR networks whose ``X-Forwarded-For`` is believed
    (:mod:`chainbrain.web.proxies`); none by default.
    ``control``: a DuckDB file's control socket, through which the command line runs its commands
    in this server while it holds the file (:mod:`chainbrain.web.control`; ``chainbrain serve``).
    """
    from chainbrain.web.headers import SecurityHeaders, cookie_name
    from chainbrain.web.proxies import parse as parse_proxies

    networks = parse_proxies(trusted_proxies)
    store = open_store(db)
    _close_dead_imports(store)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from chainbrain.web.admission import widen_worker_threads

        widen_worker_threads()                  # waiting requests must not starve cached answers of threads
        ctl = None
        if control and store.kind == "duckdb" and db != ":memory:":
            from chainbrain.web.control import ControlServer

            try:
                ctl = ControlServer(app.state.web).start()
            except OSError as exc:              # e.g. a read-only directory: serve without the socket
                import logging

                logging.getLogger("chainbrain.web").warning("no control socket for %s: %s", db, exc)
        yield
        if ctl is not None:
            ctl.stop(timeout=10)
        store.cancel()                          # SIGTERM: a running query stops now, not when it ends
        app.state.web.stop_warmup(timeout=10)
        if app.state.web.close(timeout=10):     # the pool's computations cancelled, its connections closed
            _flush_audit(store)                 # queued audit entries (profile reads, refusals)
            store.close()

    from fastapi import Depends

    from chainbrain.web.params import check_params

    app = FastAPI(title="ChainBrain 产业链大脑", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=lifespan, dependencies=[Depends(check_params)],      # bounds on every parameter
                  description="Aggregates of the province's key industrial chains. Money in yuan, "
                              "growth as fractions, periods YYYY-MM year-to-date.")
    app.state.web = WebState(store=store, public_aggregates=public_aggregates, min_cell=min_cell,
                             secure_cookies=secure_cookies)
    app.state.web.trusted_networks = networks
    app.state.templates = templates()
    _recover_imports(app.state.web)
    app.add_middleware(CancelOnDisconnect, state_of=lambda: getattr(app.state, "web", None))
    app.add_middleware(StaleLabel)            # answers from before an import, labelled (web/stale.py)
    app.add_middleware(CarryPeriod, secure=secure_cookies)          # one period everywhere (web/carry.py)
    app.add_middleware(SecurityHeaders, secure=secure_cookies)      # CSP, no-store, HSTS (web/headers.py)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(cockpit.router)
    for module in (auth_views, password_views, chains, regions, enterprises, search, imports, audit):
        app.include_router(module.router)
    app.include_router(__import__("chainbrain.web.views.enterprise_list", fromlist=["router"]).router)  # 企业清单
    app.include_router(__import__("chainbrain.web.views.focus", fromlist=["router"]).router)  # focus pages
    app.include_router(__import__("chainbrain.web.views.operations", fromlist=["router"]).router)  # 运行分析
    app.include_router(__import__("chainbrain.web.views.maps", fromlist=["router"]).router)  # 四图
    app.include_router(__import__("chainbrain.web.views.attract", fromlist=["router"]).router)  # 补链 · 精准招商
    app.include_router(__import__("chainbrain.web.views.reports", fromlist=["router"]).router)  # 分析报告
    app.include_router(__import__("chainbrain.web.views.cultivate", fromlist=["router"]).router)  # 梯度培育
    app.include_router(__import__("chainbrain.web.views.cultivate_match", fromlist=["router"]).router)  # 融通
    app.include_router(__import__("chainbrain.web.views.clusters", fromlist=["router"]).router)  # 先进制造业集群
    app.include_router(__import__("chainbrain.web.views.cluster_progress", fromlist=["router"]).router)  # 集群进展报告
    app.include_router(__import__("chainbrain.web.views.library", fromlist=["router"]).router)  # 企业库复核
    app.include_router(__import__("chainbrain.web.views.scaleup", fromlist=["router"]).router)  # 升规入统
    app.include_router(__import__("chainbrain.web.views.digital", fromlist=["router"]).router)  # 智改数转网联
    app.include_router(__import__("chainbrain.web.views.digital_providers", fromlist=["router"]).router)  # 服务商
    for name in ("requests_api", "requests", "my"):                                              # 企业诉求
        app.include_router(__import__(f"chainbrain.web.views.{name}", fromlist=["router"]).router)
    for _m in ("work_rd", "work_funds", "work_policies", "work_lists"):                  # 攻关、基金、政策、五清单
        app.include_router(__import__(f"chainbrain.web.views.{_m}", fromlist=["router"]).router)
    for _m in ("work_tasks", "work_meetings", "work_org", "work_projects"):                                                        # 任务、督办、例会
        app.include_router(__import__(f"chainbrain.web.views.{_m}", fromlist=["router"]).router)

    @app.middleware("http")
    async def mail_after_commit(request: Request, call_next):      # [mail]: e-mail copies once the request committed
        from starlette.concurrency import run_in_threadpool

        from chainbrain.work import mail

        response = await call_next(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400 and mail.enabled():
            await run_in_threadpool(mail.dispatch, store, app.state.web.lock)
        return response

    @app.middleware("http")
    async def csrf_cookie(request: Request, call_next):
        response = await call_next(request)
        token = getattr(request.state, "new_csrf_cookie", None)
        if token:
            response.set_cookie(cookie_name(auth.CSRF_COOKIE, secure_cookies), token, httponly=True,
                                samesite="strict", path="/", secure=secure_cookies)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, exc):
        await audit_refusal(request, "role_refused")
        return _answer(request, 403, "forbidden_title", "forbidden_body")

    @app.exception_handler(auth.CsrfFailed)
    async def csrf_failed(request: Request, exc):
        await audit_refusal(request, "csrf_failed")
        return _answer(request, 403, "csrf_title", "csrf_body")

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        title = "limited_title"
        if _wants_json(request):
            response = JSONResponse({"detail": exc.message()}, status_code=exc.status)
        else:
            response = _error_page(request, exc.status, title, exc.message())
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(Pending)
    async def pending(request: Request, exc: Pending):
        from chainbrain.web.render import context

        response = request.app.state.templates.TemplateResponse(
            request, "pending.html", {**context(request), "refresh_s": REFRESH_S}, status_code=202)
        response.headers["Retry-After"] = str(REFRESH_S)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(auth.TooManyAttempts)
    async def too_many(request: Request, exc):
        response = _answer(request, 429, "limited_title", "login_limited")
        response.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
        return response

    @app.exception_handler(404)
    async def not_found(request: Request, exc):
        if isinstance(exc, NotVisible):
            await audit_refusal(request, "scope_refused", exc.object)
        detail = bilingual(getattr(exc, "detail", None) or both("notfound_body"), 404)
        if _wants_json(request) or request.url.path.startswith("/static"):
            return JSONResponse({"detail": detail}, status_code=404)
        return _error_page(request, 404, "notfound_title", both("notfound_body"))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        message = bilingual(str(exc))
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=400)
        return _error_page(request, 400, "error_title", message)

    @app.exception_handler(sa.exc.DBAPIError)
    async def database_error(request: Request, exc: sa.exc.DBAPIError):
        return _database_answer(request, exc)

    @app.exception_handler(psycopg.Error)
    async def driver_error(request: Request, exc: psycopg.Error):
        return _database_answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError):
        """FastAPI's own parsing of a path, query or form value failed: 400 (never 422), naming the field."""
        message = validation_message(exc.errors())
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=400)
        return _error_page(request, 400, "error_title", message)

    from chainbrain.web.limits import BodyLimit                     # caps and sign-in before a body is read

    errors.install(app)                                             # every HTTPException: "English (中文)"

    app.add_middleware(BodyLimit, answer=refusal, who=auth.current_user)
    from chainbrain.web.password_gate import PasswordGate                # a reset password: /password only

    app.add_middleware(PasswordGate, answer=refusal, who=auth.current_user)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired):
        message = both("auth_body")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=401,
                                headers={"WWW-Authenticate": 'Cookie realm="chainbrain"'})
        return _error_page(request, 401, "auth_title", message)

    return app


def _recover_imports(st: WebState) -> None:
    """Import jobs a stopped server left running are marked died (:meth:`chainbrain.web.imports.Jobs.recover`)."""
    import logging

    try:
        died = st.jobs.recover()
    except sa.exc.SQLAlchemyError as exc:            # a store not yet upgraded to 0022: jobs start empty
        logging.getLogger("chainbrain.web").warning("import jobs not recovered: %s", exc)
        return
    if died:
        logging.getLogger("chainbrain.web").warning("import jobs marked died: %s", ", ".join(died))


_TITLES = {401: "auth_title", 403: "forbidden_title", 404: "notfound_title"}


def refusal(request: Request, status: int, message: str):
    """A bilingual refusal ``message`` with ``status``: JSON under ``/api``, the error page elsewhere."""
    message = bilingual(message, status)
    if _wants_json(request):
        headers = {"WWW-Authenticate": 'Cookie realm="chainbrain"'} if status == 401 else None
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return _error_page(request, status, _TITLES.get(status, "error_title"), message)


_WHERE = {"path": ("path parameter", "路径参数"), "query": ("query parameter", "查询参数"),
          "body": ("field", "字段"), "header": ("header", "请求头"), "cookie": ("cookie", "Cookie")}


def _flush_audit(store) -> None:
    from chainbrain.store.audit import flush

    try:
        flush(store)
    except Exception as exc:                # never block the shutdown
        import logging

        logging.getLogger("chainbrain.web").warning("audit entries not written at shutdown: %s", exc)


def _close_dead_imports(store) -> None:
    """``import_died`` audit entries for the imports a killed server left open (:mod:`chainbrain.store.audit_imports`)."""
    import logging

    from chainbrain.store.audit_imports import close_dead_imports

    try:
        closed = close_dead_imports(store)
    except sa.exc.DBAPIError:               # a store not yet migrated: `chainbrain db upgrade` comes first
        return
    if closed:
        logging.getLogger("chainbrain.web").warning("imports ended by a dead process: %s", ", ".join(closed))


async def audit_refusal(request: Request, action: str, object: str | None = None) -> None:
    """One audit entry for a refused request (``scope_refused``, ``role_refused``, ``csrf_failed``):
    who, what (``object``, default the path), the path, method and client address."""
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(_audit_refusal, request, action, object)


def _audit_refusal(request: Request, action: str, object: str | None) -> None:
    from chainbrain.store.audit import append_soon

    user = auth.current_user(request)
    append_soon(request.app.state.web.store, auth.actor_of(request), action, object or f"path:{request.url.path}",
                path=request.url.path, method=request.method, role=user.role if user else None,
                client=auth.client_of(request))


def validation_message(errors) -> str:
    """One bilingual line for FastAPI's validation errors: where, which field, the value's problem."""
    parts_en, parts_zh = [], []
    for e in list(errors)[:3]:
        loc = [str(x) for x in e.get("loc", ())]
        where = _WHERE.get(loc[0] if loc else "", ("value", "值"))
        name = ".".join(loc[1:]) or "?"
        parts_en.append(f"{where[0]} '{name}': {e.get('msg', 'invalid')}")
        parts_zh.append(f"{where[1]} {name.replace('(', '').replace(')', '')[:40]} 的值无效")
    return f"Invalid {'; '.join(parts_en)} ({'；'.join(parts_zh)})"


def app_from_settings() -> FastAPI:
    """The app that ``chainbrain serve`` runs in each worker process (uvicorn factory): store and
    switches from the configuration file and ``CHAINBRAIN_*`` variables (:mod:`chainbrain.config`)."""
    from chainbrain.config import load_settings

    cfg = load_settings()
    return create_app(cfg.db, public_aggregates=cfg.public_aggregates, secure_cookies=cfg.secure_cookies,
                      trusted_proxies=cfg.trusted_proxies, control=True)
