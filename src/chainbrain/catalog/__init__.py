"""What the plan says: regions, industry classes, chains → segments, clusters, parks, targets.

National tables (GB/T 4754-2017 with its SEI and high-tech flags) live in
``catalog/data``; everything province-specific is a *province pack* under
``chainbrain/packs/<name>`` (see :mod:`chainbrain.catalog.pack`).
"""
