"""How it is shown: FastAPI JSON API and server-rendered pages (Jinja2, ECharts, offline)."""

from chainbrain.web.app import create_app

__all__ = ["create_app"]
