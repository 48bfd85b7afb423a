"""Shared set-up of the browser tests: the app under uvicorn, Debian's Chromium under Playwright.

The app runs in a background thread on a free loopback port; Chromium runs
headless with the flags this offline machine needs (no background
networking, no component updates). A missing Chromium is an error, not a
skip: `make test` installs it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: str, **app_kwargs):
    """Serve ``create_app(db, **app_kwargs)`` on loopback; yields the base URL."""
    import uvicorn

    from chainbrain.web import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db, **app_kwargs), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by Playwright; yields the Browser."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def new_page(browser, server: str, expected_status=(), locale: str = "zh-CN"):
    """(context, page) at 1920 × 1080 that records console errors (``pg.errors``; messages naming one
    of ``expected_status`` are expected, e.g. a 404 page) and page errors, and blocks any request off
    ``server`` (recorded in ``pg.external``: every asset must be served locally)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale=locale, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors, pg.external = [], []
    pg.on("console", lambda m: pg.errors.append(f"console: {m.text}") if m.type == "error" and not any(
        str(s) in m.text for s in expected_status) else None)
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e} {getattr(e, 'stack', '')}"))

    def guard(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            pg.external.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    return ctx, pg


def sign_in(pg, server: str, name: str, password: str | None = None) -> None:
    """Sign in through the login form, as a user does, and wait for the page it lands on (the role's
    home). ``password`` defaults to the web fixture's (``tests/web_fixture.py``)."""
    if password is None:
        import web_fixture

        password = web_fixture.password(name)
    pg.goto(f"{server}/login")
    pg.get_by_test_id("login-username").fill(name)
    pg.get_by_test_id("login-password").fill(password)
    with pg.expect_navigation():
        pg.get_by_test_id("login-submit").click()
    pg.wait_for_load_state()


def sign_out(pg) -> None:
    """Sign out with the nav's button."""
    with pg.expect_navigation():
        pg.get_by_test_id("logout").click()
