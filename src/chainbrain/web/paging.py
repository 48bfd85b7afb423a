"""Paging, sorting and filtering of long lists, one helper for every page and its JSON twin.

A list longer than a screen is cut on the server: ``limit`` rows (default
:data:`DEFAULT_LIMIT`, at most :data:`MAX_LIMIT`) from ``offset``, sorted by
``sort`` (a field; ``-field`` descending; empty values last either way) and
filtered by ``q`` (a case-insensitive part of any of the list's text fields).
Each answer says ``{"limit", "offset", "total", "sort", "q"}`` (``total``: the
rows after the filter), so a client pages with ``offset += limit`` while
``offset + limit < total``. A page's lists are told apart by a prefix
(``partners_limit``, ``partners_offset`` …). The Excel download
(``format=xlsx``) always gives the whole list (the caller does not page it).

Lists that live in the database page in SQL (:attr:`Paging.limit` and
:attr:`Paging.offset` into the query, the count beside it); lists a page has
already assembled (a profile's supply links) page in memory with
:meth:`Paging.apply`. Bad values → :class:`chainbrain.web.model.BadRequest` (400).
"""

from __future__ import annotations

from dataclasses import dataclass

from chainbrain.web.model import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


def _int(raw, name: str, default: int, low: int, high: int) -> int:
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise BadRequest(f"{name} must be a whole number ({name} 应为整数)") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high} ({name} 应在 {low} 到 {high} 之间)")
    return value


@dataclass(frozen=True)
class Paging:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: str = ""
    q: str = ""
    prefix: str = ""

    @classmethod
    def from_query(cls, query, prefix: str = "", sorts: tuple[str, ...] = (), default_sort: str = "",
                   default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT) -> "Paging":
        """Read ``{prefix}limit``, ``{prefix}offset``, ``{prefix}sort`` and ``{prefix}q`` from ``query``."""
        p = prefix
        sort = (query.get(p + "sort") or default_sort).strip()
        if sort and sort.lstrip("-") not in sorts:
            raise BadRequest(f"{p}sort must be one of {', '.join(sorts)}, optionally with - for descending "
                             f"({p}sort 应为 {'、'.join(sorts)} 之一，可加 - 表示降序)")
        q = (query.get(p + "q") or "").strip()
        if len(q) > 100:
            raise BadRequest(f"{p}q must be at most 100 characters ({p}q 最多 100 个字符)")
        return cls(limit=_int(query.get(p + "limit"), p + "limit", default_limit, 1, max_limit),
                   offset=_int(query.get(p + "offset"), p + "offset", 0, 0, MAX_OFFSET), sort=sort, q=q, prefix=p)

    def meta(self, total: int) -> dict:
        """What the answer tells about the page: ``{"limit", "offset", "total", "sort", "q"}``."""
        return {"limit": self.limit, "offset": self.offset, "total": int(total), "sort": self.sort, "q": self.q}

    def filter_sort(self, rows: list[dict], text_fields: tuple[str, ...]) -> list[dict]:
        """``rows`` kept by ``q`` (in any of ``text_fields``) and sorted by ``sort`` (all rows, no cut)."""
        if self.q:
            q = self.q.lower()
            rows = [r for r in rows if any(q in str(r.get(f) or "").lower() for f in text_fields)]
        if self.sort:
            key, desc = self.sort.lstrip("-"), self.sort.startswith("-")
            present = [r for r in rows if r.get(key) is not None]
            empty = [r for r in rows if r.get(key) is None]
            rows = sorted(present, key=lambda r: r[key], reverse=desc) + empty
        return list(rows)

    def apply(self, rows: list[dict], text_fields: tuple[str, ...]) -> tuple[list[dict], dict]:
        """(the page of ``rows`` after filter and sort, :meth:`meta`) — for lists held in memory."""
        kept = self.filter_sort(rows, text_fields)
        return kept[self.offset:self.offset + self.limit], self.meta(len(kept))

    def links(self, url, total: int) -> dict:
        """``{"prev", "next"}`` page URLs (None at the ends); ``url(**changes)`` builds a URL of this page."""
        p = self.prefix
        prev = url(**{p + "offset": max(0, self.offset - self.limit) or None}) if self.offset > 0 else None
        nxt = url(**{p + "offset": self.offset + self.limit}) if self.offset + self.limit < total else None
        return {"prev": prev, "next": nxt}


def page_rows(query, d: dict, url=None, rows_key: str = "rows", table_id: str | None = None, prefix: str = "",
              sorts: tuple[str, ...] = (), default_sort: str = "", text_fields: tuple[str, ...] = ("name",),
              default_limit: int = DEFAULT_LIMIT) -> dict:
    """``d`` with its list ``d[rows_key]`` (and the rows of the table ``table_id``, the same list as
    shown) cut to the page asked for in ``query``, and ``d[prefix + "page"]`` = :meth:`Paging.meta`
    plus ``prev``/``next`` links when ``url(**changes)`` is given. Callers skip it for Excel."""
    pg = Paging.from_query(query, prefix=prefix, sorts=sorts, default_sort=default_sort, default_limit=default_limit)
    rows, meta = pg.apply(d[rows_key], text_fields)
    out = {**d, rows_key: rows, prefix + "page": {**meta, **(pg.links(url, meta["total"]) if url else {})}}
    if table_id:
        out["tables"] = [{**tb, "rows": pg.apply(tb["rows"], text_fields)[0]} if tb["id"] == table_id else tb
                         for tb in d["tables"]]
    return out
