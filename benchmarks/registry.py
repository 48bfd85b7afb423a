"""The benchmarks by name (each a function of the scale that records its entry)."""

from benchmarks import bench_complexity, bench_ingest, bench_kpi

BENCHMARKS = {
    "kpi_province_chain_city": bench_kpi.run,
    "complexity_all_measures": bench_complexity.run,
    "ingest_monthly_csv": bench_ingest.run,
}
NAMES = list(BENCHMARKS)
