"""Benchmark: Rambachan-Roth relative-magnitude intervals, engine as shipped vs fast=True.

Runs ``didbook.honest_sensitivity`` on the platform event study of the simulated panel (seed 2024,
baseline; 4 leads, 4 lags, log_gdp_pc control, province clusters: 3 pre-periods, 5 post) with the
chapter's Mbar grid, once with ``fast=False`` (moderndid unchanged: scipy linprog) and once with
``fast=True`` (lean HiGHS solvers), checks that the intervals agree, and prints the times and
their ratio.

    .venv/bin/python benchmarks/honest_speed.py
"""

import time

import numpy as np

import didbook

MBAR = [0.0, 0.5, 1.0, 1.5]

panel = didbook.simulate_city_panel(seed=2024)
es = didbook.event_study(
    panel.data,
    "income_gap",
    "city_id",
    "year",
    "platform_cohort",
    leads=4,
    lags=4,
    controls=["log_gdp_pc"],
    cluster="province_id",
)
didbook.honest_sensitivity(es, method="smoothness", M=[0.0])  # import the engine once

times, tables = {}, {}
for fast in (True, False):
    t0 = time.perf_counter()
    res = didbook.honest_sensitivity(es, method="relative_magnitude", Mbar=MBAR, fast=fast)
    times[fast] = time.perf_counter() - t0
    tables[fast] = res.table[["M", "lb", "ub"]].to_numpy()
    print(f"fast={fast!s:5}: {times[fast]:6.1f} s for {len(MBAR)} values of Mbar")
print(res.table[["M", "lb", "ub"]].round(4).to_string(index=False))
diff = float(np.max(np.abs(tables[True] - tables[False])))
print(f"largest difference between the intervals: {diff:.1e}")
print(f"speed-up (engine as shipped / fast): {times[False] / times[True]:.1f}x")
assert diff < 1e-6
