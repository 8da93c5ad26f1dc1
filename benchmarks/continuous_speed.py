"""Benchmark: continuous-treatment DID, diff-diff's ContinuousDiD as shipped vs the adapter's engine.

``didbook.adapters.diff_diff.continuous_engine`` is ContinuousDiD with its unit x period pivot done by
array indexing instead of ``DataFrame.iterrows``. In one process, on the dose world of the simulated
panel (``outcome_draws(..., dose=True)``, 276 cities x 10 years), both fit the same 10 outcome draws;
the script checks that every estimate and standard error is identical and prints the times and their
ratio.

    .venv/bin/python benchmarks/continuous_speed.py
"""

import time
import warnings

import diff_diff as dd
import numpy as np

import didbook
from didbook.adapters.diff_diff import continuous_engine

GRID = np.array([0.4, 0.6, 0.8])
panel, Y, _ = didbook.simulate.outcome_draws("platform", "online_approval_rate", range(10), design_seed=101, dose=True)
d = panel.data.copy()
d["first_treat"] = d["platform_cohort"].fillna(0)

times, results = {}, {}
warnings.simplefilter("ignore")
for name, engine in (("diff-diff as shipped", dd.ContinuousDiD), ("adapter", continuous_engine())):
    engine(degree=3, dvals=GRID).fit(d.assign(y=Y[:, 0]), "y", "city_id", "year", "first_treat", "service_capability")
    t0, out = time.perf_counter(), []
    for r in range(Y.shape[1]):
        f = engine(degree=3, dvals=GRID).fit(
            d.assign(y=Y[:, r]), "y", "city_id", "year", "first_treat", "service_capability"
        )
        out.append([f.overall_att, f.overall_att_se, *f.dose_response_att.effects, *f.dose_response_att.se])
    times[name], results[name] = time.perf_counter() - t0, np.array(out)
    print(f"{name:22}: {times[name]:5.2f} s for {Y.shape[1]} fits")
same = np.array_equal(results["diff-diff as shipped"], results["adapter"])
print(f"identical estimates and standard errors: {same}")
print(f"speed-up (as shipped / adapter): {times['diff-diff as shipped'] / times['adapter']:.1f}x")
assert same
