"""Write ``lib/didbook/data/example_panel.csv``: the example of the "Your panel" chapter, shipped as package data.

Read it with ``didbook.load_example_panel()`` (works from any installed copy of didbook).

A simple simulated long panel with a known effect, so a reader can check every estimator of the
chapter against the truth before running it on their own data:

* 120 units in 20 regions, observed every year 2011-2020 (balanced, 1,200 rows);
* staggered adoption by unit: first treated year 2014, 2016 or 2018, or never (about 30%, cohort
  left EMPTY in the CSV: never-treated units have no adoption year);
* ``y = unit effect + year effect + 0.3 x + true_effect * treated + noise``; the covariate ``x`` varies
  over time, the untreated outcome follows parallel trends (unconditionally and given ``x``);
* ``true_effect`` = -0.5 in every treated unit-year (0 otherwise): a homogeneous, constant effect, so
  TWFE, the event study and the heterogeneity-robust estimators all target -0.5.

Usage: ``python scripts/make_example_panel.py`` (idempotent; ``--check`` exits 1 if the file differs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "lib" / "didbook" / "data" / "example_panel.csv"
EFFECT = -0.5


def example_panel(seed: int = 11, units: int = 120, regions: int = 20, years=range(2011, 2021)) -> pd.DataFrame:
    """The example panel as a DataFrame (see the module docstring)."""
    rng = np.random.default_rng(seed)
    years = np.asarray(list(years))
    cohort = rng.choice([2014.0, 2016.0, 2018.0, np.nan], size=units, p=[0.25, 0.25, 0.2, 0.3])
    df = pd.DataFrame([(u, t) for u in range(1, units + 1) for t in years], columns=["unit", "year"])
    k = df["unit"].to_numpy() - 1
    df["region"] = k % regions + 1
    df["first_treat"] = pd.array(cohort[k], dtype="Int64")  # empty = never treated
    treated = df["year"].to_numpy() >= np.nan_to_num(cohort[k], nan=np.inf)
    df["x"] = (rng.normal(size=len(df)) + 0.05 * (df["year"] - years[0])).round(4)
    unit_fe = rng.normal(0, 1.0, size=units)
    year_fe = 0.1 * (years - years[0]) + rng.normal(0, 0.2, size=len(years))
    df["true_effect"] = np.where(treated, EFFECT, 0.0)
    df["y"] = (
        unit_fe[k]
        + year_fe[df["year"] - years[0]]
        + 0.3 * df["x"]
        + df["true_effect"]
        + rng.normal(0, 0.5, size=len(df))
    ).round(4)
    return df[["unit", "year", "region", "first_treat", "y", "x", "true_effect"]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if lib/didbook/data/example_panel.csv differs")
    args = parser.parse_args(argv)
    text = example_panel().to_csv(index=False, lineterminator="\n")
    if args.check:
        same = OUT.exists() and OUT.read_text() == text
        print("up to date" if same else f"{OUT} differs: run python scripts/make_example_panel.py")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
