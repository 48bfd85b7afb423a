"""Every 4xx answer's message in one shape: ``"English (中文)"`` (issue #20).

:func:`bilingual` puts a message into that shape:

- already ``English (中文)``: unchanged;
- ``English (中文): value`` (a rejected value echoed after the Chinese): the value moves
  in front of the Chinese, ``English: value (中文)``, shortened to :data:`ECHO` characters;
- the framework's own English-only messages (:data:`KNOWN`, e.g. Starlette's
  "Invalid multipart data."): their translation;
- anything else: followed by the Chinese of its HTTP status (:data:`STATUS_ZH`).

:func:`install` answers Starlette's and FastAPI's ``HTTPException`` with the message so shaped
(JSON ``{"detail": …}`` with the exception's headers), so no route's error escapes the shape.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

#: the last parenthesised part holds Chinese and ends the message
_SHAPED = re.compile(r"^(?=.*[A-Za-z]).*\S \([^()]*[\u4e00-\u9fff][^()]*\)$", re.S)
_ECHOED = re.compile(r"^(?P<en>.*?\S)\s*\((?P<zh>[^()]*[\u4e00-\u9fff][^()]*)\)(?P<tail>\s*:.*)$", re.S)
ECHO = 120

KNOWN = {
    "There was an error parsing the body": "The request body could not be parsed (请求内容无法解析)",
    "Invalid multipart data.": "Invalid multipart form data (表单数据格式无效)",
    "Not Found": "Not found (未找到)",
    "Method Not Allowed": "Method not allowed on this address (此地址不支持该请求方法)",
    "Unsupported Media Type": "Unsupported content type (不支持的内容类型)",
}
STATUS_ZH = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "不支持该请求方法",
             409: "状态冲突", 410: "已不存在", 413: "请求内容过大", 415: "不支持的内容类型",
             429: "请求过于频繁", 503: "服务暂不可用"}


def _short(text: str) -> str:
    return text if len(text) <= ECHO else text[:ECHO] + "…"


def bilingual(message, status: int = 400) -> str:
    """``message`` in the shape ``English (中文)`` (see the module docstring)."""
    text = message if isinstance(message, str) else str(message)
    if text in KNOWN:
        return KNOWN[text]
    m = _ECHOED.match(text)
    if m:
        tail = " ".join(_short(m["tail"].strip()).split())
        return f"{m['en']}{tail} ({m['zh']})"
    if _SHAPED.match(text):
        return text
    zh = STATUS_ZH.get(status, "请求有误" if status < 500 else "服务器错误")
    return f"{_short(text).rstrip('.') or 'Error'} ({zh})"


def install(app: FastAPI) -> None:
    """Answer every ``HTTPException`` with its message in the bilingual shape."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:                          # the app's own 404 (JSON or page)
            handler = request.app.exception_handlers.get(404)
            if handler is not None:
                return await handler(request, exc)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = getattr(exc, "headers", None)
        if exc.status_code in (204, 304):
            return JSONResponse(None, status_code=exc.status_code, headers=headers)
        return JSONResponse({"detail": bilingual(detail, exc.status_code)}, status_code=exc.status_code,
                            headers=headers)
