"""What is computed: indicators against targets (and, later, indices, advantage, networks).

Analytics are Ibis expressions over the store, so the same code runs on DuckDB
and PostgreSQL; they return plain records and never render anything.
"""
