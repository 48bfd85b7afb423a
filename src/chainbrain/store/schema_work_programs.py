"""Joint R&D, the guidance fund and the policy list of the work system (migration
``0012_work_programs``).

- ``work_rd_problem``: a technology problem (揭榜挂帅) posted by a chain office or an enterprise —
  ``scope_kind`` intra | inter | group (链内 / 链间 / 链群 攻关), the lead chain and the other chains
  (comma list), the poster (``chain`` or ``enterprise`` with ``enterprise_id``), the funding
  offered (yuan), the application deadline, ``status`` (:mod:`chainbrain.work.rd`), the chosen
  application, the result and its commercialisation (text, revenue in yuan).
- ``work_rd_application``: a team applying (揭榜) — team name, leader, partners, the applying
  enterprise when it is one, proposal, funding requested, status submitted | chosen | not_chosen.
- ``work_rd_milestone``: a milestone of the chosen team with the funding tranche released when it
  is done (yuan).
- ``work_fund`` / ``work_fund_investment``: the provincial guidance fund (省现代产业引导基金) and
  its sub-funds (``parent_id``) with size and government contribution (yuan); investments into
  enterprises (amount, co-investment by others, date, chain, segment, region, the follow-on key
  project).
- ``work_policy`` / ``work_policy_measure`` / ``work_policy_cite``: the policy list (政策清单,
  一链一策) per chain and city — document number, issuer, validity, measures, and the requests and
  tasks that cite a policy.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import Money, metadata
from chainbrain.store.schema_work_common import stamp as _stamp

work_rd_problem = sa.Table(
    "work_rd_problem", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("scope_kind", sa.String(8), nullable=False),          # intra|inter|group
    sa.Column("chain_code", sa.String(8), nullable=False),          # the lead chain
    sa.Column("other_chains", sa.String(64)),                       # comma list (链间 / 链群)
    sa.Column("poster", sa.String(16), nullable=False),             # chain|enterprise
    sa.Column("enterprise_id", sa.BigInteger),                      # the posting enterprise
    sa.Column("region_code", sa.String(6)),
    sa.Column("funding", Money, nullable=False),                    # offered (揭榜资金), yuan
    sa.Column("apply_by", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("posted_on", sa.Date, nullable=False),
    sa.Column("application_id", sa.BigInteger),                     # the chosen team
    sa.Column("awarded_on", sa.Date),
    sa.Column("started_on", sa.Date),
    sa.Column("completed_on", sa.Date),
    sa.Column("closed_on", sa.Date),
    sa.Column("result", sa.Text),
    sa.Column("commercialisation", sa.Text),
    sa.Column("commercial_revenue", Money),                         # yuan, from the result's use
    *_stamp(),
)

work_rd_application = sa.Table(
    "work_rd_application", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("problem_id", sa.BigInteger, nullable=False),
    sa.Column("team", sa.String(200), nullable=False),
    sa.Column("leader", sa.String(64), nullable=False),
    sa.Column("partners", sa.String(300)),
    sa.Column("enterprise_id", sa.BigInteger),                      # the applying enterprise, if one
    sa.Column("proposal", sa.Text, nullable=False),
    sa.Column("requested", Money, nullable=False),                  # yuan
    sa.Column("status", sa.String(16), nullable=False),             # submitted|chosen|not_chosen
    sa.Column("submitted_on", sa.Date, nullable=False),
    *_stamp(),
    sa.Index("ix_work_rd_application_problem", "problem_id"),
)

work_rd_milestone = sa.Table(
    "work_rd_milestone", metadata,
    sa.Column("problem_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("tranche", Money, nullable=False),                    # funding released when done, yuan
    sa.Column("done_on", sa.Date),
    sa.Column("note", sa.Text),
)

work_fund = sa.Table(
    "work_fund", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("parent_id", sa.BigInteger),                          # NULL: the mother fund
    sa.Column("chain_code", sa.String(8)),
    sa.Column("manager", sa.String(200)),
    sa.Column("size", Money, nullable=False),                       # subscribed size, yuan
    sa.Column("government", Money, nullable=False),                 # government contribution, yuan
    sa.Column("set_up_on", sa.Date, nullable=False),
    *_stamp(),
)

work_fund_investment = sa.Table(
    "work_fund_investment", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("fund_id", sa.BigInteger, nullable=False),
    sa.Column("enterprise_id", sa.BigInteger),
    sa.Column("investee", sa.String(200), nullable=False),
    sa.Column("amount", Money, nullable=False),                     # from the sub-fund, yuan
    sa.Column("co_invest", Money, nullable=False),                  # others in the same round, yuan
    sa.Column("invested_on", sa.Date, nullable=False),
    sa.Column("chain_code", sa.String(8), nullable=False),
    sa.Column("segment_code", sa.String(32)),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("project_id", sa.BigInteger),                         # follow-on key project
    sa.Column("follow_on", sa.Text),
    *_stamp(),
    sa.Index("ix_work_fund_investment_fund", "fund_id"),
)

work_policy = sa.Table(
    "work_policy", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("doc_number", sa.String(64)),
    sa.Column("issuer", sa.String(128), nullable=False),
    sa.Column("chain_code", sa.String(8)),                          # NULL: every chain
    sa.Column("region_code", sa.String(6), nullable=False),         # the province or a city
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date),                                 # NULL: no end
    sa.Column("summary", sa.Text),
    sa.Column("source", sa.String(300)),
    *_stamp(),
)

work_policy_measure = sa.Table(
    "work_policy_measure", metadata,
    sa.Column("policy_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.Text, nullable=False),
)

work_policy_cite = sa.Table(
    "work_policy_cite", metadata,
    sa.Column("policy_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entity", sa.String(16), primary_key=True),           # request|task
    sa.Column("entity_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cited_on", sa.Date, nullable=False),
    sa.Column("cited_by", sa.String(64), nullable=False),
)

SEQUENCES = ("work_rd_problem", "work_rd_application", "work_fund", "work_fund_investment", "work_policy")
TABLES = ("work_rd_problem", "work_rd_application", "work_rd_milestone", "work_fund", "work_fund_investment",
          "work_policy", "work_policy_measure", "work_policy_cite")
