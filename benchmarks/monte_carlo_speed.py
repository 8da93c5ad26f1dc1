"""Time didbook.monte_carlo(design="outcomes") (batched fast path) against a naive loop of library fits.

    .venv/bin/python benchmarks/monte_carlo_speed.py                 # 1,000 draws, loop timed on 20
    .venv/bin/python benchmarks/monte_carlo_speed.py --draws 1000 --loop-draws 50

Full simulated panel (280 cities x 12 years = 3,360 rows), TWFE, CS, SA and BJS with standard
errors. The naive loop (one didbook.twfe / didbook.staggered call per draw and estimator) is timed on
``--loop-draws`` draws and scaled linearly to ``--draws``; the script says so in its output and
checks that both give the same numbers on those draws. The fast path's time includes drawing the
outcomes (``didbook.simulate.outcome_draws``); the loop's does not (it reuses the same draws).
"""

from __future__ import annotations

import argparse
import importlib
import time
import warnings

import didbook

mc = importlib.import_module("didbook.monte_carlo")

SPECS = {
    "TWFE": {"method": "twfe", "treatment": "platform", "outcome": "income_gap", "cluster": "province_id"},
    "CS": {"method": "cs", "treatment": "platform", "outcome": "income_gap"},
    "SA": {"method": "sa", "treatment": "platform", "outcome": "income_gap", "cluster": "province_id"},
    "BJS": {"method": "bjs", "treatment": "platform", "outcome": "income_gap", "cluster": "province_id"},
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--loop-draws", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2024)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    # warm-up: imports and pyfixest's numba compilation, outside both timings
    p = didbook.simulate_city_panel(seed=a.seed)
    didbook.twfe(p.data, "income_gap", "platform_treated", "city_id", "year", warn_few_clusters=False)

    t0 = time.perf_counter()
    res = didbook.monte_carlo(SPECS, n_draws=a.draws, seed=a.seed, design="outcomes", progress=False)
    t_fast = time.perf_counter() - t0
    print(f"fast path: {a.draws} draws x {len(SPECS)} estimators in {t_fast:.2f} s ({res.info['fast path (batched)']})")

    panel, Y, truth = didbook.simulate.outcome_draws(
        "platform", "income_gap", list(range(a.seed, a.seed + a.loop_draws)), design_seed=a.seed
    )
    d = panel.data.copy()
    t0 = time.perf_counter()
    worst = 0.0
    for r in range(a.loop_draws):
        d["income_gap"] = Y[:, r]
        for label, spec in res.estimators.items():
            est, se, *_ = mc._fit_library(d, "income_gap", spec)
            row = res.draws.iloc[res.draws.index[(res.draws["estimator"] == label) & (res.draws["draw"] == r)][0]]
            worst = max(worst, abs(est - row["estimate"]), abs(se - row["std_error"]))
    t_loop = time.perf_counter() - t0
    scaled = t_loop * a.draws / a.loop_draws
    print(
        f"naive loop: {a.loop_draws} draws in {t_loop:.1f} s -> scaled to {a.draws} draws: {scaled:.0f} s "
        f"(timed on {a.loop_draws} draws and scaled linearly)"
    )
    print(f"max |fast - loop| over those draws (estimate and SE): {worst:.2e}")
    print(f"speed-up: {scaled / t_fast:.0f}x  (targets: fast path <= 60 s, >= 30x)")
    print(res.tidy()[["estimator", "bias", "bias_mc_se", "coverage", "se_ratio"]].to_string(index=False))


if __name__ == "__main__":
    main()
