"""Comparative advantage, economic complexity and relatedness per segment and region (找准主攻点、突破点).

- ``complexity``: RCA, Mcp, diversity, ubiquity, ECI/PCI, proximity, density,
  distance, COI, COG (agrees with Growth Lab's ``ecomplexity`` 0.5.3).
- ``measures``: location quotients, cluster strength, shift-share.
- ``data``: region × segment revenue/employment from the store (Ibis).
- ``recommend``: attack / breakthrough lists per city or county, province view.
"""

from chainbrain.analytics.advantage.complexity import Complexity, complexity, complexity_matrix, pivot

__all__ = ["Complexity", "complexity", "complexity_matrix", "pivot"]
