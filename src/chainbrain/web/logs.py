"""Server logs: uvicorn's logging configuration, with an optional JSON access log (one object a line:
time, client, method, path, HTTP version, status) for log collectors."""

from __future__ import annotations

import json
import logging
import time

from uvicorn.config import LOGGING_CONFIG


class JsonAccessFormatter(logging.Formatter):
    """uvicorn's access record ``(client, method, path, http_version, status)`` as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        args = record.args if isinstance(record.args, tuple) else ()
        client, method, path, version, status = (list(args) + [None] * 5)[:5]
        return json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                           + f".{int(record.msecs):03d}Z", "level": record.levelname.lower(),
                           "client": client, "method": method, "path": path, "http": version,
                           "status": status}, ensure_ascii=False)


def log_config(access_log: str) -> dict:
    """uvicorn's default configuration; ``access_log="json"`` formats the access log as JSON."""
    cfg = {**LOGGING_CONFIG, "formatters": dict(LOGGING_CONFIG["formatters"])}
    if access_log == "json":
        cfg["formatters"]["access"] = {"()": "chainbrain.web.logs.JsonAccessFormatter"}
    return cfg
