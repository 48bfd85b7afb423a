"""The benchmarks by name (each a function of the scale that records its entry)."""

from benchmarks import (bench_api, bench_complexity, bench_indicators, bench_ingest, bench_io, bench_kpi,
                        bench_postgres, bench_recompute, bench_report, bench_supply, bench_supply_graph)

BENCHMARKS = {
    "kpi_province_chain_city": bench_kpi.run,
    "complexity_all_measures": bench_complexity.run,
    "ingest_monthly_csv": bench_ingest.run,
    "ingest_monthly_xlsx": bench_ingest.run_xlsx,
    "indicators_city_chain": bench_indicators.run,
    "indicators_full_recompute": bench_recompute.run,
    "api_latency_p95": bench_api.run,
    "postgres": bench_postgres.run,        # the analytics above on PostgreSQL beside DuckDB (province scale)
    "io_linkages": bench_io.run,
    "supply_local_rate_concentration": bench_supply.run,
    "supply_dominators": bench_supply_graph.run_dominators,
    "supply_systemic": bench_supply_graph.run_systemic,
    "report_monthly": bench_report.run,     # the monthly analysis report (province, a chain; Word, PDF, Excel)
    "cultivate_assess": __import__("benchmarks.bench_cultivate", fromlist=["run"]).run,   # SME tiers, 100k / 1M firms
    "import_validate_small": __import__("benchmarks.bench_import_small", fromlist=["run"]).run,   # #22: < 1 s
    "cultivate_scaleup_baseline": __import__("benchmarks.bench_scaleup", fromlist=["run"]).run,   # 升规 Gibrat pools
    "registry_import_mapping": __import__("benchmarks.bench_registry", fromlist=["run"]).run,   # #19: 1M rows <= 10 min
    "spark_vs_duckdb_lake": __import__("benchmarks.bench_spark", fromlist=["run"]).run,   # #21: same lake, both engines
    "load_50_users": __import__("benchmarks.bench_load", fromlist=["run"]).run,   # #20: 50 users, DuckDB and PostgreSQL
    "kpi_stored_all_periods": __import__("benchmarks.bench_kpi_stored", fromlist=["run"]).run,   # #20: every period × region
    "alerts_every_period": __import__("benchmarks.bench_alerts_stored", fromlist=["run"]).run,   # #20: every period's alerts
    "disclosure_exact_solve": __import__("benchmarks.bench_gf", fromlist=["run"]).run,   # #20: compiled GF(p) solve
    "profile_search_uncached": __import__("benchmarks.bench_profile_search", fromlist=["run"]).run,   # #20: per request
}
NAMES = list(BENCHMARKS)
