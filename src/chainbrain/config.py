"""Settings shared by every layer: where the store lives, which pack is in use, how the server runs.

Precedence, highest first: a command's option (``--db`` …), the environment
(``CHAINBRAIN_*``), the configuration file, the built-in default. The file is
``--config FILE``, else ``$CHAINBRAIN_CONFIG``, else ``./chainbrain.toml``, else
``/etc/chainbrain/chainbrain.toml`` (the first that exists); every key is
optional (docs/operations.md lists them)::

    [store]
    url = "postgresql://chainbrain@db.internal/chainbrain?sslmode=require"   # or a DuckDB file
    pool_size = 5                 # ORM connections kept per process
    max_overflow = 10             # extra connections under load
    statement_timeout_s = 300     # PostgreSQL statement_timeout (0: none)
    work_mem_mb = 64              # PostgreSQL work_mem of ChainBrain's sessions (sorts and hashes in memory)

    [server]
    host = "127.0.0.1"
    port = 8000
    workers = 1                   # processes (PostgreSQL only; DuckDB allows one writer)
    public_aggregates = false
    secure_cookies = false        # Secure + __Host- cookies and HSTS (served over HTTPS)
    trusted_proxies = []          # addresses / CIDRs whose X-Forwarded-For / -Proto is believed (none)
    root_path = ""                # the path prefix a reverse proxy serves ChainBrain under
    password_history = 5          # a user's own change may not reuse the last N passwords (0: only the current)
    compute_pool = 0              # answers computed at once per worker (serve --pool; 0: one per core, 2 to 4)
    stale_wait_ms = 50            # after an import, wait this long for a fresh answer, then show the one from before (labelled; -1: never)

    [logging]
    level = "info"                # debug | info | warning | error
    access_log = "plain"          # plain | json | off

    [audit]
    retention_days = 0            # `chainbrain audit prune` default: delete entries older than this (0: keep all)

    [work]
    files_dir = "/var/lib/chainbrain/files"   # attachments of the work system, outside the web root

    [mail]                        # e-mail copies of inbox notifications (chainbrain.work.mail)
    enabled = false               # off by default: nothing is sent
    host = "smtp.example.gov.cn"
    port = 587
    starttls = true
    username = "chainbrain"
    password_env = "CHAINBRAIN_SMTP_PASSWORD"   # the NAME of the variable holding the password
    from = "产业链大脑 <chainbrain@example.gov.cn>"
    timeout_s = 10
    base_url = "https://chainbrain.example.gov.cn"   # prefixed to the link path in the mail ("": path only)

    [spark]                       # --engine spark (docs/spark.md)
    master = "local[*]"           # or spark://host:7077, yarn, k8s://https://…
    lake = "/data/chainbrain-lake"   # the lake --engine spark reads when no --lake is given
    driver_memory = "1g"
    executor_memory = "1g"
    executor_cores = 1
    cores_max = 2                 # cores the application takes from a standalone cluster (0: all)
    shuffle_partitions = 8        # spark.sql.shuffle.partitions
    executor_timeout = 120        # s without any executor (workers lost) before the command fails
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_DB = "data/chainbrain.duckdb"
DEFAULT_PACK = "jiangxi"
CONFIG_PATHS = ("chainbrain.toml", "/etc/chainbrain/chainbrain.toml")


class ConfigError(ValueError):
    """A configuration file or variable that cannot be used (message in Chinese and English)."""


def env_number(name: str, default, kind=int, minimum=0, above: bool = False):
    """The environment variable ``name`` as a ``kind`` (int or float) ≥ ``minimum`` (> with ``above``;
    finite), ``default`` when unset or empty; anything else a :class:`ConfigError` naming it in one
    bilingual line (``serve`` checks the tuning variables before starting)."""
    raw = os.environ.get(name, "").strip()
    try:
        value = kind(raw) if raw else default
        if not (value > minimum if above else value >= minimum) or value != value or value == float("inf"):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a valid value ({name} 的取值无效)") from None
    return value


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    pool_size: int = 5
    max_overflow: int = 10
    statement_timeout_s: float = 300.0
    work_mem_mb: int = 64
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_aggregates: bool = False
    secure_cookies: bool = False
    trusted_proxies: tuple[str, ...] = ()
    root_path: str = ""
    password_history: int = 5                                     # not sourced: a setting (web/users.py)
    compute_pool: int = 0                                         # 0: one per core, 2 to 4 (web/pool.py)
    stale_wait_ms: int = 50                                       # web/stale.py (negative: never serve stale)
    log_level: str = "info"
    access_log: str = "plain"
    audit_retention_days: int = 0                                 # 0: keep the audit log forever
    files_dir: str = ""                                           # "" : next to a DuckDB store, else data/files
    mail_enabled: bool = False
    mail_host: str = "localhost"
    mail_port: int = 25
    mail_starttls: bool = True
    mail_username: str = ""
    mail_password_env: str = ""                                   # name of the environment variable
    mail_from: str = "chainbrain@localhost"
    mail_timeout_s: float = 10.0
    mail_base_url: str = ""
    spark_master: str = "local[*]"
    spark_lake: str = ""
    spark_driver_memory: str = "1g"
    spark_executor_memory: str = "1g"
    spark_executor_cores: int = 1
    spark_cores_max: int = 2
    spark_shuffle_partitions: int = 8
    spark_executor_timeout: int = 120                            # s (docs/spark.md, "Failure")
    source: str | None = field(default=None, compare=False)     # the file read, if any


#: file section.key → setting, and the environment variable overriding it
_KEYS = {
    ("store", "url"): ("db", "CHAINBRAIN_DB"),
    ("store", "pool_size"): ("pool_size", "CHAINBRAIN_POOL_SIZE"),
    ("store", "max_overflow"): ("max_overflow", "CHAINBRAIN_MAX_OVERFLOW"),
    ("store", "statement_timeout_s"): ("statement_timeout_s", "CHAINBRAIN_STATEMENT_TIMEOUT"),
    ("store", "work_mem_mb"): ("work_mem_mb", "CHAINBRAIN_WORK_MEM_MB"),
    ("server", "host"): ("host", "CHAINBRAIN_HOST"),
    ("server", "port"): ("port", "CHAINBRAIN_PORT"),
    ("server", "workers"): ("workers", "CHAINBRAIN_WORKERS"),
    ("server", "public_aggregates"): ("public_aggregates", "CHAINBRAIN_PUBLIC_AGGREGATES"),
    ("server", "secure_cookies"): ("secure_cookies", "CHAINBRAIN_SECURE_COOKIES"),
    ("server", "trusted_proxies"): ("trusted_proxies", "CHAINBRAIN_TRUSTED_PROXIES"),
    ("server", "root_path"): ("root_path", "CHAINBRAIN_ROOT_PATH"),
    ("server", "password_history"): ("password_history", "CHAINBRAIN_PASSWORD_HISTORY"),
    ("server", "compute_pool"): ("compute_pool", "CHAINBRAIN_COMPUTE_POOL"),
    ("server", "stale_wait_ms"): ("stale_wait_ms", "CHAINBRAIN_STALE_WAIT_MS"),
    ("logging", "level"): ("log_level", "CHAINBRAIN_LOG_LEVEL"),
    ("logging", "access_log"): ("access_log", "CHAINBRAIN_ACCESS_LOG"),
    ("audit", "retention_days"): ("audit_retention_days", "CHAINBRAIN_AUDIT_RETENTION_DAYS"),
    ("work", "files_dir"): ("files_dir", "CHAINBRAIN_FILES_DIR"),
    ("mail", "enabled"): ("mail_enabled", "CHAINBRAIN_MAIL_ENABLED"),
    ("mail", "host"): ("mail_host", "CHAINBRAIN_MAIL_HOST"),
    ("mail", "port"): ("mail_port", "CHAINBRAIN_MAIL_PORT"),
    ("mail", "starttls"): ("mail_starttls", "CHAINBRAIN_MAIL_STARTTLS"),
    ("mail", "username"): ("mail_username", "CHAINBRAIN_MAIL_USERNAME"),
    ("mail", "password_env"): ("mail_password_env", "CHAINBRAIN_MAIL_PASSWORD_ENV"),
    ("mail", "from"): ("mail_from", "CHAINBRAIN_MAIL_FROM"),
    ("mail", "timeout_s"): ("mail_timeout_s", "CHAINBRAIN_MAIL_TIMEOUT"),
    ("mail", "base_url"): ("mail_base_url", "CHAINBRAIN_MAIL_BASE_URL"),
    ("spark", "master"): ("spark_master", "CHAINBRAIN_SPARK_MASTER"),
    ("spark", "lake"): ("spark_lake", "CHAINBRAIN_SPARK_LAKE"),
    ("spark", "driver_memory"): ("spark_driver_memory", "CHAINBRAIN_SPARK_DRIVER_MEMORY"),
    ("spark", "executor_memory"): ("spark_executor_memory", "CHAINBRAIN_SPARK_EXECUTOR_MEMORY"),
    ("spark", "executor_cores"): ("spark_executor_cores", "CHAINBRAIN_SPARK_EXECUTOR_CORES"),
    ("spark", "cores_max"): ("spark_cores_max", "CHAINBRAIN_SPARK_CORES_MAX"),
    ("spark", "shuffle_partitions"): ("spark_shuffle_partitions", "CHAINBRAIN_SPARK_SHUFFLE_PARTITIONS"),
    ("spark", "executor_timeout"): ("spark_executor_timeout", "CHAINBRAIN_SPARK_EXECUTOR_TIMEOUT"),
}
_MEMORY = re.compile(r"[0-9]+[kmgtKMGT]?")          # Spark's memory sizes: 512m, 2g
_CHOICES = {"log_level": ("debug", "info", "warning", "error"), "access_log": ("plain", "json", "off")}


def config_path(explicit: str | None = None) -> Path | None:
    """The configuration file in use (module docstring), or None."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("CHAINBRAIN_CONFIG")
    if env:
        return Path(env)
    return next((Path(p) for p in CONFIG_PATHS if Path(p).is_file()), None)


def _convert(name: str, value, where: str):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "int":
            out = int(value)
            if (out < 0 and not (name == "stale_wait_ms" and out == -1)) or (name in ("port", "workers", "work_mem_mb", "mail_port", "spark_executor_cores",
                                    "spark_shuffle_partitions", "spark_executor_timeout") and out < 1):
                raise ValueError
        elif kind == "float":
            out = float(value)
            if out < 0:
                raise ValueError
        elif kind == "bool":
            if isinstance(value, bool):
                out = value
            elif str(value).strip().lower() in ("1", "true", "yes", "on"):
                out = True
            elif str(value).strip().lower() in ("0", "false", "no", "off"):
                out = False
            else:
                raise ValueError
        elif name == "trusted_proxies":
            items = value if isinstance(value, list) else str(value).split(",")
            out = tuple(str(x).strip() for x in items if str(x).strip())
        else:
            out = str(value)
            if name in ("spark_driver_memory", "spark_executor_memory") and not _MEMORY.fullmatch(out.strip()):
                raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a valid {name} ({name} 的取值无效)") from None
    if name == "trusted_proxies":
        from chainbrain.web.proxies import parse

        try:
            parse(out)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if name in _CHOICES and out not in _CHOICES[name]:
        raise ConfigError(f"{where}: {out!r} must be one of {', '.join(_CHOICES[name])} "
                          f"({name} 应为 {'、'.join(_CHOICES[name])} 之一)")
    return out


def load_settings(path: str | None = None) -> Settings:
    """Settings from the file (if any) and the environment (module docstring)."""
    values: dict = {}
    source = config_path(path)
    if source is not None:
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{source}: configuration file not found (找不到配置文件)") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: not valid TOML — {exc} (配置文件不是有效的 TOML)") from None
        for section, body in data.items():
            if not isinstance(body, dict):
                raise ConfigError(f"{source}: {section} must be a [section] (应为 [节])")
            for key, value in body.items():
                if (section, key) not in _KEYS:
                    raise ConfigError(f"{source}: unknown setting [{section}] {key} (未知配置项)")
                name = _KEYS[(section, key)][0]
                values[name] = _convert(name, value, f"{source} [{section}] {key}")
    for (section, key), (name, env) in _KEYS.items():
        raw = os.environ.get(env)
        if raw is not None and raw.strip() != "":
            values[name] = _convert(name, raw.strip(), env)
    return Settings(**values, source=str(source) if source else None)


def default_db() -> str:
    """The store used when no ``--db`` is given: ``$CHAINBRAIN_DB``, else the configuration
    file's ``[store] url``, else ``data/chainbrain.duckdb``."""
    env = os.environ.get("CHAINBRAIN_DB")
    if env:
        return env
    return load_settings().db


def package_dir() -> Path:
    return Path(__file__).resolve().parent
