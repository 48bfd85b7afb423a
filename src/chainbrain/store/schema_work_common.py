"""Columns every editable work item of the tasks part carries (no imports of other schema modules,
so the work schema modules can be imported in any order)."""

from __future__ import annotations

import sqlalchemy as sa


def stamp() -> list[sa.Column]:
    """``version`` (optimistic lock), who and when created, last change, demo flag."""
    return [sa.Column("version", sa.Integer, nullable=False, server_default="1"),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("created_by", sa.String(64), nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
            sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false())]
