"""Benchmark: didbook.placebo_test (one-pass FWL) vs a PanelOLS refit loop vs pyfixest ritest.

Run from the repository root::

    .venv/bin/python benchmarks/placebo_speed.py            # 1,000 reps (takes about a minute)
    .venv/bin/python benchmarks/placebo_speed.py --reps 200 --loop-reps 100

All three run in the same process on the same simulated panel (2,760 rows: 230 cities x 12
years from :func:`didbook.simulate_city_panel`). The PanelOLS loop refits the TWFE regression
once per placebo assignment, using exactly the assignments drawn by ``placebo_test``, and the
script checks that both give the same coefficients. ``--loop-reps`` times the loop on fewer
refits and scales the time up linearly (a loop's cost is linear in the number of refits).
pyfixest's ``ritest`` re-randomizes the treatment column itself, a different (observation-level)
placebo scheme, so only its time is comparable. It is timed twice: its refit algorithm
(``choose_algorithm="slow"``, the one that works on any data; about 20-40 s for 1,000 reps, the
issue's baseline; ``--ritest-slow-reps`` times fewer reps and scales up), and its numba "fast"
algorithm, which needs a float treatment and integer fixed-effect codes and is compiled in a
warm-up call first. (On string identifiers, pyfixest 0.60's default ``ritest`` call fails with a
KeyError, so the fast path is not what a user gets by default.) Finally the script times
1,000 placebo reps on a 57,000-row panel (2,850 units x 20 years).

The fast timings (ours, ritest, the big panel) are the minimum over ``--repeat`` runs; the long
PanelOLS loop is timed once. Not part of the test suite; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import didbook


def big_panel(units: int = 2850, periods: int = 20, seed: int = 0) -> pd.DataFrame:
    """A plain staggered-adoption panel with unit and year effects (57,000 rows by default)."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    year = np.tile(np.arange(2001, 2001 + periods), units)
    cohort = rng.choice([2006, 2009, 2012, 2015, np.inf], size=units)
    d = (year >= cohort[unit]).astype(int)
    y = 0.2 * d + rng.normal(size=units)[unit] + rng.normal(size=periods)[year - 2001] + rng.normal(size=len(unit))
    return pd.DataFrame({"unit": unit, "year": year, "d": d, "y": y})


def best_of(repeat: int, fn):
    """Minimum wall time over ``repeat`` calls (the usual timeit convention) and the last result."""
    best, out = np.inf, None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000, help="placebo draws (default 1000)")
    ap.add_argument(
        "--loop-reps",
        type=int,
        default=None,
        help="PanelOLS refits actually timed (default: all --reps); time is scaled to --reps",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="repeat the fast timings (ours, ritest, big panel) and keep the minimum (default 3)",
    )
    ap.add_argument(
        "--ritest-slow-reps",
        type=int,
        default=200,
        help="reps of ritest's refit algorithm actually timed, scaled to --reps (default 200)",
    )
    ap.add_argument("--skip-big", action="store_true", help="skip the 57,000-row panel")
    args = ap.parse_args()
    reps = args.reps
    loop_reps = min(reps, args.loop_reps or reps)
    warnings.simplefilter("ignore")

    df = didbook.simulate_city_panel(seed=2024, n_cities=230).data
    y, d, unit, time_ = "income_gap", "platform_treated", "city_id", "year"
    print(f"panel: {len(df):,} rows ({df[unit].nunique()} units x {df[time_].nunique()} years), {reps} placebo reps")

    didbook.placebo_test(df, y, d, unit, time_, n_draws=10, progress=False)  # warm-up (imports)
    t_ours, res = best_of(
        args.repeat, lambda: didbook.placebo_test(df, y, d, unit, time_, n_draws=reps, seed=1, progress=False)
    )
    print(f"didbook.placebo_test (FWL, one pass): {t_ours:8.3f} s   p = {res.p_value:.4f}")

    from linearmodels import PanelOLS

    base = df.assign(**{unit: pd.factorize(df[unit])[0]}).set_index([unit, time_])  # integer ids: PanelOLS's best case
    yv = base[y]
    t0 = time.perf_counter()
    loop = np.empty(loop_reps)
    for r in range(loop_reps):
        x = pd.DataFrame({"placebo": res.placebo_treatment(r)}, index=base.index)
        loop[r] = PanelOLS(yv, x, entity_effects=True, time_effects=True).fit().params["placebo"]
    t_loop = (time.perf_counter() - t0) * reps / loop_reps
    diff = np.max(np.abs(loop - res.null_distribution[:loop_reps]))
    note = "" if loop_reps == reps else f" (timed {loop_reps} refits, scaled)"
    print(f"PanelOLS refit loop:                  {t_loop:8.3f} s{note}   max |diff| vs ours = {diff:.2e}")

    import pyfixest as pf

    # pyfixest 0.60's numba ritest needs a float treatment and numeric fixed-effect codes
    pdf = pd.DataFrame(
        {
            "y": df[y].to_numpy(float),
            "d": df[d].to_numpy(float),
            "u": pd.factorize(df[unit])[0],
            "t": pd.factorize(df[time_])[0],
        }
    )
    fit = pf.feols("y ~ d | u+t", data=pdf)
    slow_reps = min(reps, args.ritest_slow_reps)
    t0 = time.perf_counter()
    fit.ritest("d", reps=slow_reps, rng=np.random.default_rng(1), choose_algorithm="slow")
    t_ri_slow = (time.perf_counter() - t0) * reps / slow_reps
    note = "" if slow_reps == reps else f" (timed {slow_reps} reps, scaled)"
    print(f"pyfixest ritest (refit algorithm):    {t_ri_slow:8.3f} s{note}")
    fit.ritest("d", reps=10, rng=np.random.default_rng(0))  # warm-up (numba compilation)
    t_ri, _ = best_of(args.repeat, lambda: fit.ritest("d", reps=reps, rng=np.random.default_rng(1)))
    print(f"pyfixest ritest (numba fast path):    {t_ri:8.3f} s")

    print(f"speed-up vs PanelOLS loop:               {t_loop / t_ours:8.1f}x   (target >= 50x)")
    print(f"speed-up vs pyfixest ritest (refit):     {t_ri_slow / t_ours:8.1f}x   (target >= 30x)")
    print(f"speed-up vs pyfixest ritest (numba path): {t_ri / t_ours:7.1f}x   (for information)")

    if not args.skip_big:
        big = big_panel()
        t_big, rb = best_of(
            args.repeat,
            lambda: didbook.placebo_test(big, "y", "d", "unit", "year", n_draws=1000, seed=1, progress=None),
        )
        print(
            f"57,000-row panel ({big['unit'].nunique():,} units x {big['year'].nunique()} years), "
            f"1,000 reps: {t_big:.2f} s   p = {rb.p_value:.4f}"
        )


if __name__ == "__main__":
    main()
