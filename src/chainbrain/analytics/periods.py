"""Compatibility alias: reporting periods live in :mod:`chainbrain.periods` (domain vocabulary shared by
``analytics`` and ``ingest``). Import from there; this alias goes once no module uses it."""

from chainbrain.periods import Period, PeriodError, parse_period

__all__ = ["Period", "PeriodError", "parse_period"]
