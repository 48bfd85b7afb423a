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


from chainbrain.web import stale  # noqa: E402


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
            "ptext": lambda p: fmt.period_words(p, lg), "said": lambda m: fmt.one_language(m, lg), "period_groups": lambda: period_groups(request),
            "carried_period": request.query_params.get("period"), "stale_ids": stale.served, **extra}


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
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>`` and ``&`` as ``\\u003c`` …,
    so no ``</script>`` or ``<!--`` in a name can end the block or change how it is parsed."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: how a column kind is shown on screen → (divisor, Excel number format, unit added to the header)
XLSX_KINDS = {"yi": (fmt.YI, "#,##0.00", ("亿元", "100m yuan")), "wan": (WAN, "#,##0.00", ("万元", "10k yuan")),
              "pct": (1, "0.0%", None), "count": (1, "#,##0", None), "num": (1, "#,##0.00", None)}


def xlsx(tables: list[dict], lang: str = "zh", note: str = "") -> bytes:
    """An Excel workbook with one sheet per table that matches the screen: the caption (title, unit,
    period in the bureau's words, ``note``: scope and data version) in row 1, the page's column
    labels in row 2 (with the unit where the screen shows one), then every row: money in the unit the
    page shows (亿元 / 万元) as numbers with two decimals, rates as percent-formatted fractions,
    counts as whole numbers, statuses in words, withheld cells as "—*" like the page."""
    import xlsxwriter

    en = lang == "en"
    t = strings(lang)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#EEF2F8", "text_wrap": True})
    italic = wb.add_format({"italic": True, "font_color": "#5B6B80"})
    nums = {k: wb.add_format({"num_format": v[1]}) for k, v in XLSX_KINDS.items()}
    for tb in tables:
        ws = wb.add_worksheet(tb["id"][:31])
        parts = [tb["title"], tb.get("unit") or "", fmt.period_words(tb["period"], lang) if tb.get("period") else "",
                 note, (f"{len(tb['rows'])} rows" if en else f"共 {len(tb['rows'])} 行")]
        ws.write(0, 0, " · ".join(x for x in parts if x), italic)
        for c, col in enumerate(tb["columns"]):
            label, unit = col["label"], (XLSX_KINDS.get(col["kind"]) or (0, 0, None))[2]
            if unit and unit[1 if en else 0] not in label and unit[1 if en else 0] not in (tb.get("unit") or ""):
                label += f" ({unit[1]})" if en else f"（{unit[0]}）"
            ws.write(1, c, label, bold)
            ws.set_column(c, c, 14 if col["kind"] not in ("text", "link") else 24)
        for r, row in enumerate(tb["rows"], start=2):
            hidden = row.get("suppressed") or []
            for c, col in enumerate(tb["columns"]):
                v, kind = row.get(col["key"]), (row.get("_kinds") or {}).get(col["key"], col["kind"])
                if col["key"] in hidden:
                    ws.write(r, c, "—*")
                elif v is None or v == "":
                    continue
                elif isinstance(v, bool):
                    ws.write(r, c, "✓" if v else "")
                elif kind in XLSX_KINDS and isinstance(v, (int, float)):
                    ws.write_number(r, c, v / XLSX_KINDS[kind][0], nums[kind])
                elif kind == "status":
                    ws.write(r, c, t.get(f"status_{v}", str(v)))
                elif isinstance(v, (list, tuple)):
                    ws.write(r, c, "、".join(str(x) for x in v))
                else:
                    ws.write(r, c, v if isinstance(v, (int, float)) else str(v))
        ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()


def data_version(request: Request) -> str:
    """A short, stable tag of the data the page was computed from (printed on downloads)."""
    import hashlib

    return hashlib.sha1(repr(get_state(request).versions.current()).encode()).hexdigest()[:8]


def export_note(request: Request, lang: str) -> str:
    """Scope and data version for a download's caption, e.g. "数据范围：南昌市 · 数据版本 1a2b3c4d"."""
    user = current_user(request)
    t = strings(lang)
    who = t.get(f"role_{user.role}", user.role) + (f" {user.scope.split(':', 1)[1]}" if ":" in user.scope else "") \
        if user else t["anonymous"]
    return (f"viewer: {who} · data version {data_version(request)}" if lang == "en"
            else f"导出者权限：{who} · 数据版本 {data_version(request)}")


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
    lang = lang_of(request.query_params.get("lang"))
    return Response(xlsx(tables, lang, export_note(request, lang)), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{fname}"'})
