"""The benchmarks by name (each a function of the scale that records its entry)."""

from benchmarks import bench_kpi

BENCHMARKS = {
    "kpi_province_chain_city": bench_kpi.run,
}
NAMES = list(BENCHMARKS)
