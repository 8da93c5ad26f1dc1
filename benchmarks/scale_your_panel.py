"""Scale of the "Your panel" chapter: its estimation core on a 30,000-unit x 20-period panel.

The core is what the chapter runs on a researcher's panel: Callaway-Sant'Anna (clustered, universal base,
simple + dynamic), Sun-Abraham, BJS imputation, randomization inference (99 draws) and the wild cluster
bootstrap (999 draws). The same core runs first on the 3,000-unit panel (the baseline, in the same
process), then on the 30,000-unit one; the script prints both times, their ratio (10x the units: a ratio
near 10 means linear scaling) and, as a second named baseline, the ratio against one pyfixest TWFE fit on the
30,000-unit panel.

Usage::

    python benchmarks/scale_your_panel.py                 # 3,000 (baseline) and 30,000 units
    python benchmarks/scale_your_panel.py --units 3000    # one size only (no ratio)
    python benchmarks/scale_your_panel.py --chapter       # also the whole chapter on 3,000 units (report)

The whole chapter on 3,000 units x 20 periods (``--chapter``: ``python -m didbook.report`` end to end,
kernel start and exports included) must stay under 30 s.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the chapter's kernel: no BLAS oversubscription
os.environ.setdefault("OMP_NUM_THREADS", "1")

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import didbook

ROOT = Path(__file__).resolve().parents[1]


def make_panel(n_units: int, n_periods: int = 20, seed: int = 0) -> pd.DataFrame:
    """Staggered panel: 50 states (clusters), adoption by state in 5 cohorts or never, effect 0.1 growing."""
    rng = np.random.default_rng(seed)
    start = 2000
    state = rng.integers(0, 50, n_units)
    choices = np.array([start + 6, start + 9, start + 12, start + 15, np.nan, np.nan])
    g_state = choices[rng.integers(0, len(choices), 50)]
    g_state[:2] = [start + 6, np.nan]
    unit = np.repeat(np.arange(n_units), n_periods)
    t = np.tile(np.arange(start, start + n_periods), n_units)
    g = g_state[state][unit]
    e = t - np.nan_to_num(g, nan=np.inf)
    y = (
        rng.normal(0, 1, n_units)[unit]
        + rng.normal(0, 0.3, (50, n_periods))[state[unit], t - start]
        + 0.02 * (t - start)
        + np.where(e >= 0, 0.1 + 0.01 * e, 0.0)
        + rng.normal(0, 0.5, len(unit))
    )
    w = rng.uniform(0.5, 2.0, n_units)[unit]
    return pd.DataFrame({"unit": unit, "year": t, "state": state[unit], "g": g, "y": y, "w": w})


def core(df: pd.DataFrame) -> dict[str, float]:
    """Seconds per step of the chapter's estimation core on ``df``."""
    d, _ = didbook.prepare_panel(df, "unit", "year", "y", "g", cluster="state")
    G, D = "didbook_cohort", "didbook_treated"
    out = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - t0

    def cs():
        f = didbook.staggered(d, "y", "unit", "year", G, "cs", cluster="state", base_period="universal")
        f.aggregate("dynamic")

    timed("Callaway-Sant'Anna", cs)
    timed(
        "Sun-Abraham", lambda: didbook.staggered(d, "y", "unit", "year", G, "sa", cluster="state").aggregate("dynamic")
    )
    timed(
        "BJS imputation",
        lambda: didbook.staggered(d, "y", "unit", "year", G, "bjs", cluster="state").aggregate("dynamic"),
    )
    timed(
        "randomization inference (99)",
        lambda: didbook.placebo_test(d, "y", D, "unit", "year", n_draws=99, seed=1, cluster="state", progress=False),
    )
    timed(
        "wild cluster bootstrap (999)",
        lambda: didbook.wild_cluster_bootstrap(d, "y", D, "unit", "year", "state", n_draws=999, seed=1),
    )
    return out


def pyfixest_twfe(df: pd.DataFrame) -> float:
    import pyfixest as pf

    d = df.assign(d=(df["year"] >= df["g"].fillna(np.inf)).astype(float))
    t0 = time.perf_counter()
    pf.feols("y ~ d | unit + year", data=d, vcov={"CRV1": "state"})
    return time.perf_counter() - t0


def chapter_seconds(n_units: int) -> float:
    """``python -m didbook.report`` on an ``n_units`` x 20 panel, end to end (kernel start and exports included)."""
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "panel.csv"
        make_panel(n_units).to_csv(csv, index=False)
        cmd = [sys.executable, "-m", "didbook.report", str(csv), "--out", str(Path(tmp) / "out"), "--unit", "unit",
               "--time", "year", "--outcome", "y", "--cohort", "g", "--cluster", "state", "--controls", ""]  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=tmp)
        return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--units", type=int, nargs="*", default=[3_000, 30_000])
    p.add_argument("--chapter", action="store_true", help="also time the whole chapter on 3,000 units")
    args = p.parse_args(argv)
    totals = {}
    for n in args.units:
        steps = core(make_panel(n))
        totals[n] = sum(steps.values())
        print(f"\n{n:,} units x 20 periods: core {totals[n]:.1f} s")
        for name, s in steps.items():
            print(f"  {name:32s} {s:7.2f} s")
    if len(totals) > 1:
        small, big = min(totals), max(totals)
        print(f"\nratio {big:,} / {small:,} units (baseline: the same core on {small:,} units, this process): "
              f"{totals[big] / totals[small]:.1f}x for {big / small:.0f}x the units")  # fmt: skip
        twfe = pyfixest_twfe(make_panel(big))
        print(f"ratio against one pyfixest TWFE fit on {big:,} units ({twfe:.2f} s): {totals[big] / twfe:.0f}x")
    if args.chapter:
        s = chapter_seconds(3_000)
        print(f"\nwhole chapter (python -m didbook.report) on 3,000 units x 20 periods: {s:.1f} s (limit 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
