"""The calibrated demo province: synthetic enterprises, reports and supply links (DESIGN.md §5).

``build_demo(store, scale, seed)`` writes it; every enterprise is ``is_demo``
and carries "（演示）" in its name. Modules, in the order the build uses them:
:mod:`spec` (scales, calendar), :mod:`targets` (calibration.toml as yearly
paths), :mod:`world` (the pack as arrays), :mod:`population` (who and where),
:mod:`history` (region moves), :mod:`dynamics` (revenue paths, sample,
entries and exits) with :mod:`calibrate` (raking), :mod:`traits`,
:mod:`partners` (out-of-province pool), :mod:`names`, :mod:`tables`,
:mod:`reports`, :mod:`supply`, :mod:`designations` and :mod:`build`.
"""

from chainbrain.demo.build import DEFAULT_SEED, DemoExistsError, DemoResult, build_demo, generate
from chainbrain.demo.spec import SCALES, scale_spec

__all__ = ["DEFAULT_SEED", "DemoExistsError", "DemoResult", "SCALES", "build_demo", "generate", "scale_spec"]
