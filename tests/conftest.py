"""Shared fixtures and paths for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
EXECUTED = ROOT / "_build" / "src" / "notebooks"  # every chapter, default parameters (make book)
SEED2 = ROOT / "_build" / "seed2" / "notebooks"  # chapters with a seed, under a second seed (make seeds)


def executed_notebook(directory: Path, chapter: str) -> Path:
    """An executed chapter notebook that ``make book`` / ``make seeds`` wrote; skip (fail in CI) if missing."""
    path = directory / f"{chapter}.ipynb"
    if not path.exists():
        if os.environ.get("CI") or os.environ.get("REQUIRE_BOOK"):
            pytest.fail(f"{path} is missing: run `make book` and `make seeds` (make test does both)")
        pytest.skip(f"{path} is missing: run `make book` and `make seeds` first (or use `make test`)")
    return path


@pytest.fixture(scope="session", autouse=True)
def generated_notebooks() -> None:
    """``notebooks/*.ipynb`` generated from the chapter sources (``make notebooks``), fresh for every session."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import chapters

    for source in chapters.chapter_sources():
        chapters.write(source)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The rendered book. `make test` builds it first; running pytest alone needs `make book`."""
    if not (HTML / "index.html").exists():
        if os.environ.get("CI") or os.environ.get("REQUIRE_BOOK"):
            pytest.fail("_build/html is missing: run `make book` (make test does it for you)")
        pytest.skip("_build/html is missing: run `make book` first (or use `make test`)")
    return HTML


def make_panel(
    *,
    units: int = 40,
    periods: int = 8,
    start: int = 2001,
    first_id: int = 0,
    cohorts=(2003, 2005, 2007, 0),
    unit_cohorts=None,
    cluster_size: int | None = 4,
    n_clusters: int | None = None,
    treated_cluster_share: float | None = None,
    effect: float = 0.4,
    controls=("x1", "x2"),
    cluster_shock: float = 0.0,
    drop: float = 0.0,
    shuffle: bool = False,
    seed: int = 0,
    time: str = "yr",
    cohort: str = "cohort",
):
    """The one small synthetic staggered-adoption panel of the test suite.

    Columns: ``id``, ``time`` (``start .. start + periods - 1``), ``prov`` (cluster: ``id // cluster_size``,
    or ``id % n_clusters``), ``region`` (``id % 3``), ``cohort`` (first treated period, 0 = never),
    ``d = 1{time >= cohort > 0}``, the ``controls`` (standard normal; the second one correlated with ``d``),
    ``w`` (positive weights) and ``y = effect * d + 0.5 x_1 - 0.2 x_2 + unit + period (+ cluster) effects + noise``.

    Cohorts are drawn from ``cohorts`` (0 or ``inf`` = never treated) unless ``unit_cohorts`` gives them
    explicitly; with ``treated_cluster_share`` only the units of that share of clusters are treated.
    ``drop`` removes that share of rows at random (an unbalanced panel); ``shuffle`` leaves the rows in random
    order (estimators must not rely on sorted input).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = np.arange(first_id, first_id + units)
    df = pd.DataFrame([(u, t) for u in ids for t in range(start, start + periods)], columns=["id", time])
    k = df["id"].to_numpy() - first_id
    df["prov"] = k % n_clusters if n_clusters else k // (cluster_size or 1)
    df["region"] = k % 3
    if unit_cohorts is None:
        coh = rng.choice(np.asarray(cohorts, dtype=float), size=units)
        if treated_cluster_share is not None:
            g = int(df["prov"].max()) + 1
            treated = rng.random(g) < treated_cluster_share
            unit_prov = np.arange(units) % n_clusters if n_clusters else np.arange(units) // (cluster_size or 1)
            coh = np.where(treated[unit_prov], coh, 0.0)
    else:
        coh = np.asarray(unit_cohorts, dtype=float)
    coh = np.where(np.isfinite(coh), coh, 0.0)
    df[cohort] = coh[k].astype(int)
    df["d"] = ((df[cohort] > 0) & (df[time] >= df[cohort])).astype(int)
    for j, c in enumerate(controls):
        df[c] = rng.normal(size=len(df)) + (0.3 * df["d"] if j == 1 else 0.0)
    df["w"] = rng.uniform(0.5, 2, size=len(df))
    x = [df[c] for c in controls] + [0.0, 0.0]
    shocks = rng.normal(size=int(df["prov"].max()) + 1)
    df["y"] = (
        effect * df["d"]
        + 0.5 * x[0]
        - 0.2 * x[1]
        + 0.2 * k
        + rng.normal(size=periods)[df[time] - start]
        + cluster_shock * shocks[df["prov"]]
        + rng.normal(size=len(df))
    )
    if drop or shuffle:
        df = df.sample(frac=1 - drop, random_state=seed)
        df = (df if shuffle else df.sort_values(["id", time])).reset_index(drop=True)
    return df
