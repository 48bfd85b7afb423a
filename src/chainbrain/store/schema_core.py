"""The core of ChainBrain's schema: ``metadata``, the column types, catalog, fact and log tables.

The other ``schema_*`` parts define their tables on this ``metadata``;
:mod:`chainbrain.store.schema` assembles them all (import that one).

Conventions
- Money is ``Money`` = NUMERIC(20, 2) in yuan on both engines (exact decimal).
- Every fact row carries ``batch_id`` (the import batch it came from) and
  ``revision`` (a later report for the same key is a new revision; older rows
  are kept, readers take the highest revision).
- Enterprises have a surrogate ``id`` and a unique ``uscc`` where one exists
  (out-of-province partners may have none).
- Catalog tables hold the province pack (regions, industries, chains,
  segments, clusters, parks, targets); ``pack_meta`` records its version.
- Log tables (``import_batch``, ``audit_log``) are not counted as data.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Money = sa.Numeric(20, 2)
Code = sa.String(32)


def _provenance() -> list[sa.Column]:
    return [
        sa.Column("batch_id", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    ]


# ---------------------------------------------------------------- catalog
pack_meta = sa.Table(
    "pack_meta", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("province_code", sa.String(6), nullable=False),
    sa.Column("title", sa.String(200)),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
)

region = sa.Table(
    "region", metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),        # province|prefecture|county
    sa.Column("parent_code", sa.String(6)),
    sa.Column("prefecture_code", sa.String(6)),               # own code for prefectures, parent for counties
    sa.Column("status", sa.String(8), nullable=False),        # current|retired
    sa.Column("successor_code", sa.String(6)),
    sa.Column("retired_year", sa.Integer),
)

industry = sa.Table(
    "industry", metadata,
    sa.Column("code", sa.String(4), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),        # section|division|group|class
    sa.Column("parent_code", sa.String(4)),
    sa.Column("section", sa.String(1), nullable=False),
    sa.Column("sei", sa.String(8), nullable=False),           # none|full|partial
    sa.Column("hightech", sa.Boolean, nullable=False),
)

chain = sa.Table(
    "chain", metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name_zh", sa.String(64), nullable=False),
    sa.Column("name_en", sa.String(128), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),     # traditional|advantage|emerging|future
    sa.Column("source", sa.Text),
)

segment = sa.Table(
    "segment", metadata,
    sa.Column("code", Code, primary_key=True),
    sa.Column("chain_code", sa.String(8), nullable=False),    # primary chain
    sa.Column("stage", sa.String(12), nullable=False),        # upstream|midstream|downstream
    sa.Column("parent_code", Code),
    sa.Column("level", sa.String(12), nullable=False),        # segment|sub_segment
    sa.Column("name_zh", sa.String(128), nullable=False),
    sa.Column("name_en", sa.String(200)),
    sa.Column("keywords", sa.Text),                           # ';'-joined
    sa.Column("flags", sa.String(64)),                        # ';'-joined core|bottleneck|gap
    sa.Column("source", sa.Text),
)

segment_industry = sa.Table(
    "segment_industry", metadata,
    sa.Column("segment_code", Code, primary_key=True),
    sa.Column("industry_code", sa.String(4), primary_key=True),
)

segment_chain = sa.Table(
    "segment_chain", metadata,
    sa.Column("segment_code", Code, primary_key=True),
    sa.Column("chain_code", sa.String(8), primary_key=True),
    sa.Column("is_primary", sa.Boolean, nullable=False),
)

cluster = sa.Table(
    "cluster", metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name_zh", sa.String(64), nullable=False),
    sa.Column("name_en", sa.String(128)),
    sa.Column("source", sa.Text),
)

cluster_segment = sa.Table(
    "cluster_segment", metadata,
    sa.Column("cluster_code", sa.String(16), primary_key=True),
    sa.Column("segment_code", Code, primary_key=True),
)

cluster_city = sa.Table(
    "cluster_city", metadata,
    sa.Column("cluster_code", sa.String(16), primary_key=True),
    sa.Column("city_code", sa.String(6), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
)

park = sa.Table(
    "park", metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),        # national|provincial
    sa.Column("kind", sa.String(24)),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("chain_focus", sa.String(128)),
    sa.Column("source", sa.Text),
)

target = sa.Table(
    "target", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200)),
    sa.Column("indicator", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),          # growth|share|coverage|level
    sa.Column("scope", sa.String(16), nullable=False),         # all|manufacturing|sei
    sa.Column("chain_code", sa.String(8)),
    sa.Column("region_code", sa.String(6)),
    sa.Column("base_year", sa.Integer),
    sa.Column("base_value", Money),
    sa.Column("annual_rate", sa.Double),
    sa.Column("target_year", sa.Integer),
    sa.Column("target_value", sa.Double),
    sa.Column("deadline", sa.Date),
    sa.Column("unit", sa.String(16)),
    sa.Column("yellow_band", sa.Double),
    sa.Column("source", sa.Text),
)

# ---------------------------------------------------------------- enterprises and facts
enterprise = sa.Table(
    "enterprise", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("uscc", sa.String(18), unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("province_code", sa.String(6), nullable=False),  # where it is located
    sa.Column("region_code", sa.String(6)),                    # current county (in-province)
    sa.Column("park_code", sa.String(16)),
    sa.Column("industry_code", sa.String(4)),                  # current class
    sa.Column("founded_on", sa.Date),
    sa.Column("parent_group", sa.String(200)),
    sa.Column("is_industrial", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
    *_provenance(),
)

enterprise_attr = sa.Table(
    "enterprise_attr", metadata,
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),
    sa.Column("attr", sa.String(24), nullable=False),          # region_code|industry_code|park_code
    sa.Column("attr_value", sa.String(32)),
    sa.Column("valid_from", sa.Date),                          # NULL: since always
    sa.Column("valid_to", sa.Date),                            # NULL: still valid; else its last valid day (inclusive)
    *_provenance(),
    sa.Index("ix_enterprise_attr_ent", "enterprise_id", "attr"),
)

enterprise_scale = sa.Table(
    "enterprise_scale", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("above_scale", sa.Boolean, nullable=False),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_enterprise_scale_ent", "enterprise_id"),
)

enterprise_segment = sa.Table(
    "enterprise_segment", metadata,
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),
    sa.Column("segment_code", Code, nullable=False),
    sa.Column("method", sa.String(16), nullable=False),        # industry_class|keyword|manual|demo
    sa.Column("confidence", sa.Double, nullable=False),
    sa.Column("revenue_share", sa.Double),
    sa.Column("valid_from", sa.Date),                          # NULL: since always
    sa.Column("valid_to", sa.Date),                            # NULL: still valid; else its last valid day (inclusive)
    *_provenance(),
    sa.Index("ix_enterprise_segment_ent", "enterprise_id"),
)

#: what identifies a designation across revisions (a chain-master title is per chain: an enterprise
#: can lead two chains from the same date; other kinds have no chain code)
DESIGNATION_KEY = ("enterprise_id", "kind", "level", "chain_code", "valid_from")

designation = sa.Table(
    "designation", metadata,
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),         # national|provincial|city
    sa.Column("chain_code", sa.String(8)),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date),                            # NULL: no end; else the last valid day (inclusive)
    *_provenance(),
    sa.Index("ix_designation_ent", "enterprise_id"),
)

monthly_report = sa.Table(
    "monthly_report", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),          # YTD through this month; 2 covers Jan–Feb
    sa.Column("revenue_ytd", Money, nullable=False),
    sa.Column("revenue_ytd_prev", Money),                      # 上年同期, as reported
    sa.Column("profit_ytd", Money),
    sa.Column("profit_ytd_prev", Money),
    sa.Column("value_added_ytd", Money),
    sa.Column("export_ytd", Money),
    sa.Column("rd_expense_ytd", Money),
    sa.Column("employees", sa.Integer),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_monthly_report_ent", "enterprise_id"),        # profile lookups (data sit in period order)
)

annual_report = sa.Table(
    "annual_report", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("revenue", Money, nullable=False),
    sa.Column("profit", Money),
    sa.Column("value_added", Money),
    sa.Column("export_value", Money),
    sa.Column("rd_expense", Money),
    sa.Column("energy_tce", sa.Double),                         # tonnes of standard coal equivalent
    sa.Column("employees", sa.Integer),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_annual_report_ent", "enterprise_id"),
)

supply_link = sa.Table(
    "supply_link", metadata,
    sa.Column("supplier_id", sa.BigInteger, primary_key=True),
    sa.Column("buyer_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("amount", Money, nullable=False),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_supply_link_supplier", "supplier_id"),
    sa.Index("ix_supply_link_buyer", "buyer_id"),
)

# ---------------------------------------------------------------- ingest (migration 0002)
# Registry fields of enterprises (market-regulation exports), mapping evidence,
# and manual segment overrides that survive re-imports. Only nullable columns
# are added to existing tables (the demo generator writes these tables too).
INGEST_ENTERPRISE_COLUMNS = (
    ("entity_type", sa.String(64)),             # 企业类型
    ("legal_rep", sa.String(64)),               # 法人代表
    ("registered_capital", Money),              # 注册资金, yuan (RMB only)
    ("registered_capital_text", sa.String(64)), # as written in the export
    ("business_scope", sa.Text),                # 经营范围
    ("address", sa.Text),                       # 注册地址
    ("is_branch", sa.Boolean),                  # 分公司/分支机构
    ("guessed_section", sa.String(1)),          # GB/T 4754 section guessed from name and scope
    ("main_products", sa.Text),                 # 主要产品
    ("employees", sa.Integer),                  # 从业人员 (latest known)
    ("region_evidence", sa.String(200)),        # how region_code was determined
)
for _name, _type in INGEST_ENTERPRISE_COLUMNS:
    enterprise.append_column(sa.Column(_name, _type))
enterprise_segment.append_column(sa.Column("evidence", sa.Text))   # matched rules, e.g. "name:铜箔; class:3985"

segment_override = sa.Table(
    "segment_override", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("segment_code", Code, primary_key=True),
    sa.Column("action", sa.String(8), nullable=False),         # add|remove
    sa.Column("note", sa.Text),
    sa.Column("actor", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# ---------------------------------------------------------------- logs
import_batch = sa.Table(
    "import_batch", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("row_count", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False),        # loaded|rejected|partial
    sa.Column("note", sa.Text),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("logged_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text),
)

LOG_TABLES = ("import_batch", "audit_log", "alembic_version", "report_file",   # report_file: generated files
              "disclosure_pattern", "cockpit_figure",                              # kept patterns, cockpit figures
              "report_schedule", "report_run",                                     # report schedules and their runs
              "import_job")                                                        # the web's import jobs
CATALOG_TABLES = (
    "pack_meta", "region", "industry", "chain", "segment", "segment_industry",
    "segment_chain", "cluster", "cluster_segment", "cluster_city", "park", "target",
)
FACT_TABLES = (
    "enterprise", "enterprise_attr", "enterprise_scale", "enterprise_segment",
    "designation", "monthly_report", "annual_report", "supply_link", "segment_override",
    "power_use",
)
