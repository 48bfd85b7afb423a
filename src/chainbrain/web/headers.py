"""Security headers and cookie names of every answer (``serve --secure-cookies``).

- ``Content-Security-Policy`` (:data:`CSP`): scripts only from the application's own files
  (``script-src 'self'``: no inline ``<script>``, no ``onclick=``; page data travels in
  ``<script type="application/json">`` blocks and ``data-`` attributes, which scripts read but
  the browser never runs), no plug-ins, no framing, forms posted to the application only.
  Styles only from the application's own style sheets (``style-src 'self'``): no ``style=``
  attribute and no ``<style>`` block in a template (classes of ``static/app.css``); scripts style
  elements through the CSSOM (``el.style.height = …``), which the policy does not restrict. ECharts
  sets its own elements' styles the same way; its *default* tooltip markup carries ``style=``
  attributes, so every chart gives a tooltip formatter that builds none (``static/html.js``,
  ``cbHtml.tip``; docs/web.md "Content Security Policy").
- ``Cache-Control: no-store`` on every answer but the static files: pages, JSON and downloads
  can hold confidential figures or a signed-in user's data and must not be kept by a browser
  or a shared cache.
- With secure cookies (the site is served over HTTPS): ``Strict-Transport-Security`` (one year),
  and every cookie is ``Secure`` and named with the ``__Host-`` prefix (:func:`cookie_name`),
  which browsers accept only from HTTPS, for the whole site, without a ``Domain``.
"""

from __future__ import annotations

HOST_PREFIX = "__Host-"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = "max-age=31536000"


def cookie_name(base: str, secure: bool) -> str:
    """``base`` (``cb_session``), or ``__Host-cb_session`` when cookies are secure."""
    return HOST_PREFIX + base if secure else base


class SecurityHeaders:
    """ASGI middleware adding the module's headers to every HTTP answer (ones already set are kept)."""

    def __init__(self, app, secure: bool = False):
        self.app, self.secure = app, secure

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        path, root = scope.get("path", ""), scope.get("root_path", "")
        static = path[len(root):].startswith("/static/") if root and path.startswith(root) else \
            path.startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode())]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                if self.secure:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                headers += [(k, v) for k, v in extra if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)
