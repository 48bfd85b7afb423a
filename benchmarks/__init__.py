"""Benchmarks: each heavy computation against an honest baseline measured in the same run.

`make bench` runs every benchmark at province scale, `make bench-national`
adds national scale. Each (name, scale) entry in ``results.json`` is replaced
by the newest measurement: ``{name, scale, ours_s, baseline_s, ratio =
baseline_s / ours_s, peak_mb, date, machine}``.
"""
