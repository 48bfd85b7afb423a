"""Shared page plumbing: the template context every page gets, tables, and Excel downloads.

A page's data is a dict (its JSON twin's answer) with ``tables``: each table
is ``{"id", "title", "unit", "period", "columns": [{"key", "label", "kind"}], "rows": [...]}``
where ``kind`` is ``text``, ``link``, ``count``, ``pct``, ``yi`` (yuan shown in
亿元), ``wan`` (yuan shown in 万元) or ``num``. Pages render these tables and
the charts built from them; ``?format=xlsx&table=ID`` on a JSON twin returns
the table as an Excel workbook (exact yuan values, unit in the header) and is
written to the audit log as an export.
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from chainbrain.web import format as fmt
from chainbrain.web.auth import actor_of, audit, csrf_token, current_user, read_store
from chainbrain.web.i18n import lang_of, strings
from chainbrain.web.state import get_state

WAN = 10_000


def wan(value) -> str:
    """Yuan → 万元 with 2 decimals ("—" when missing)."""
    if value is None:
        return fmt.DASH
    return f"{fmt.half_up(value, 2, -4):,.2f}"


def cell_text(value, kind: str) -> str:
    if kind == "yi":
        return fmt.yi(value)
    if kind == "wan":
        return wan(value)
    if kind == "pct":
        return fmt.pct(value)
    if kind == "count":
        return fmt.count(value)
    if kind == "num":
        return fmt.DASH if value is None else f"{fmt.half_up(value, 2):,.2f}" if isinstance(value, float) else str(value)
    return fmt.DASH if value is None or value == "" else str(value)


def table(id: str, title: str, columns: list[tuple[str, str, str]], rows: list[dict], unit: str = "",
          period: str | None = None) -> dict:
    return {"id": id, "title": title, "unit": unit, "period": period,
            "columns": [{"key": k, "label": label, "kind": kind} for k, label, kind in columns], "rows": rows}


def page_url(request: Request, path: str | None = None, keep=("period", "scope", "lang"), **changes) -> str:
    params = {k: v for k, v in request.query_params.items() if k in keep}
    params.update(changes)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    path = path or request.url.path
    return path + (("&" if "?" in path else "?") + query if query else "")


def context(request: Request, **extra) -> dict:
    """What every page template needs: language, strings, user, CSRF token, URL helpers."""
    lg = lang_of(request.query_params.get("lang"))
    user = current_user(request)
    t = strings(lg)

    def link(path: str, **kw) -> str:
        return page_url(request, path, keep=("lang",), **kw)

    query = "&".join(f"{k}={v}" for k, v in request.query_params.items() if k in ("period", "scope", "lang"))
    excel_base = "/api" + request.url.path + (f"?{query}" if query else "")
    return {"lang": lg, "t": t, "user": user, "csrf": csrf_token(request), "link": link, "excel_base": excel_base,
            "url": lambda **kw: page_url(request, **kw), "cell": cell_text,
            "role_text": (t.get(f"role_{user.role}") if user else t["anonymous"]),
            "public": get_state(request).public_aggregates, "path": request.url.path,
            "unread": lambda: unread_count(request, user),
            "ptext": lambda p: fmt.period_words(p, lg), "period_groups": lambda: period_groups(request),
            "carried_period": request.query_params.get("period"), **extra}


def period_groups(request: Request) -> list[tuple[str, list[str]]]:
    """The months on file grouped by year, newest first (every page's period selector)."""
    from chainbrain.web import data

    st = get_state(request)
    return fmt.period_years(st.cached(("periods-on-file",), lambda: data.periods(st.store)))


def unread_count(request: Request, user) -> int:
    """Unread inbox messages of the signed-in user (the nav's badge); 0 when signed out."""
    if user is None or not getattr(user, "id", None):
        return 0
    from chainbrain.work.inbox import unread_count as count

    with read_store(get_state(request).store).engine.connect() as conn:
        return count(conn, int(user.id))


def render(request: Request, template: str, status_code: int = 200, **extra):
    return request.app.state.templates.TemplateResponse(request, template, context(request, **extra),
                                                        status_code=status_code)


def chart_json(payload) -> str:
    """JSON for a ``<script type="application/json">`` block (safe against ``</script>``)."""
    return json.dumps(payload, ensure_ascii=False, default=str).replace("</", "<\\/")


def xlsx(tables: list[dict]) -> bytes:
    """An Excel workbook with one sheet per table: header row with units, exact values."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#EEF2F8"})
    note = wb.add_format({"italic": True, "font_color": "#5B6B80"})
    for tb in tables:
        ws = wb.add_worksheet(tb["id"][:31])
        ws.write(0, 0, f"{tb['title']}" + (f" · {tb['period']}" if tb.get("period") else ""), note)
        for c, col in enumerate(tb["columns"]):
            label = col["label"]
            if col["kind"] in ("yi", "wan"):
                label = label.split("（")[0].split(" (")[0] + "（元）/ yuan"
            ws.write(1, c, label, bold)
            ws.set_column(c, c, 14 if col["kind"] != "text" else 24)
        for r, row in enumerate(tb["rows"], start=2):
            for c, col in enumerate(tb["columns"]):
                v = row.get(col["key"])
                if v is None:
                    continue
                if isinstance(v, bool):
                    v = "✓" if v else ""
                elif col["kind"] in ("yi", "wan") and isinstance(v, (int, float)):
                    v = fmt.fen(v)                      # yuan, half up to the fen
                ws.write(r, c, v if isinstance(v, (int, float)) else str(v))
        ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()


def reply(request: Request, payload: dict, name: str):
    """The JSON twin's answer, or with ``?format=xlsx[&table=ID]`` an Excel download (audited)."""
    if request.query_params.get("format") != "xlsx":
        return payload
    wanted = request.query_params.get("table")
    tables = [tb for tb in payload.get("tables", []) if not wanted or tb["id"] == wanted]
    st = get_state(request)
    with st.lock:
        audit(st.store, actor_of(request), "export", path=request.url.path, table=wanted or "all",
              rows=sum(len(tb["rows"]) for tb in tables))
    fname = f"chainbrain-{name}{'-' + wanted if wanted else ''}.xlsx"
    return Response(xlsx(tables), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{fname}"'})
