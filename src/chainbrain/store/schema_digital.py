"""Digital-transformation assessments (智改数转网联, issue #16; migration 0017_digital).

``digital_assessment``: one row per enterprise × scheme × assessment date and revision — the level
(an integer in the scheme's range, ``packs/<province>/digital.toml``), the total score where the
file gives one, and the source (``self``: the enterprise's self-assessment; ``third_party``: an
imported result of an assessing body). Written by ``chainbrain import digital`` (a re-import of the
same key with other values is a new revision; the newest revision counts). For coverage a firm's
level at a date is the highest, over the schemes, of its latest assessment dated on or before it
(:mod:`chainbrain.analytics.digital_coverage`).

``digital_adoption`` (一链一场景): one row per enterprise × chain × scenario × adoption date and revision —
which transformation scenario of a chain a firm adopted, and the service provider that delivered it
(the project). Written by ``chainbrain import digital-scenarios``; the catalogue of a chain is the
scenarios its rows name (:mod:`chainbrain.analytics.digital_scenarios`). Since 0027 a project may name the
provider's USCC (``provider_uscc``, a provider of the register) and carry the firm's rating of it
(``rating``, the pack's ``[provider]`` scale).

``digital_provider`` (migration 0027_digital_providers): the register of 智改数转 service providers, one
row per provider (USCC) and revision — name, home region, the chains and scenarios it serves (``;``-joined
chain codes and scenario names, as listed in the register). Written by ``chainbrain import
digital-providers`` (:mod:`chainbrain.analytics.digital_providers`).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

digital_assessment = sa.Table(
    "digital_assessment", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("scheme", sa.String(16), primary_key=True),       # miit_sme_2022|miit_sme_2024|gbt39116
    sa.Column("assessed_on", sa.Date, primary_key=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("score", sa.Double),                              # total score (0–100) where given
    sa.Column("source", sa.String(16), nullable=False),         # self|third_party
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_digital_assessment_ent", "enterprise_id"),
)

digital_adoption = sa.Table(
    "digital_adoption", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("chain_code", sa.String(8), primary_key=True),
    sa.Column("scenario", sa.String(100), primary_key=True),   # the scenario's name (场景名称)
    sa.Column("adopted_on", sa.Date, primary_key=True),
    sa.Column("provider", sa.String(200)),                      # service provider (服务商) of the project
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Column("provider_uscc", sa.String(18)),                  # 0027: the provider in the register
    sa.Column("rating", sa.Integer),                            # 0027: the firm's rating of the project
    sa.Index("ix_digital_adoption_chain", "chain_code"),
)

digital_provider = sa.Table(
    "digital_provider", metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("region_code", sa.String(12)),                    # home county or city
    sa.Column("chains", sa.String(400)),                        # ';'-joined chain codes served
    sa.Column("scenarios", sa.String(4000)),                    # ';'-joined scenario names served
    sa.Column("listed_on", sa.Date),                            # 入库日期 (entered the register)
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
)
