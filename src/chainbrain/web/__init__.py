"""How it is shown: FastAPI JSON API and server-rendered pages (Jinja2, ECharts, offline).

``create_app`` is imported on first use, so that code reading the web's data helpers
(``chainbrain.web.data``, ``.model``, ``.disclosure`` — the reports do) does not load the
whole application (FastAPI, every view, the password hasher): about 2 s of a cold report.
"""

__all__ = ["create_app"]


def __getattr__(name):
    if name == "create_app":
        from chainbrain.web.app import create_app

        return create_app
    raise AttributeError(f"module 'chainbrain.web' has no attribute {name!r}")
