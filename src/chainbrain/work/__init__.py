"""The work system (工作体系): the chain offices' lists, tasks and enterprise requests.

Base modules shared by every part of the work system (DESIGN.md §2, issue 14):

- :mod:`~chainbrain.work.calendar` — working days from the official holiday and
  make-up-day calendar (``chinese_calendar``), a pack override, weekends as a
  marked fallback;
- :mod:`~chainbrain.work.workflow` — state machines (``transitions``); a refused
  transition raises one bilingual :class:`~chainbrain.work.workflow.Refused`;
- :mod:`~chainbrain.work.records` — optimistic version check
  (:class:`~chainbrain.work.records.Conflict`, HTTP 409), ids, the audit trail;
- :mod:`~chainbrain.work.inbox` — the in-application inbox (notify a user, a
  unit, a region's bureau, a chain office, an enterprise or the province);
- :mod:`~chainbrain.work.units` — the departments (role ``unit``) from the pack.

The work system's transactional code uses SQLAlchemy Core on the store and runs
on DuckDB and PostgreSQL alike; tables are in :mod:`chainbrain.store.schema_work`.
"""
