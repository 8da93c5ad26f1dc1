"""placebo_test: the one-pass FWL placebo coefficients equal full twfe refits (to 1e-8)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import didbook


def staggered_panel(seed=1, units=50, periods=10, drop=0.0, effect=0.3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(units) for t in range(2000, 2000 + periods)], columns=["id", "yr"])
    coh = rng.choice([2003, 2005, 2007, np.inf], size=units)
    df["d"] = (df["yr"] >= coh[df["id"]]).astype(int)
    df["x"] = rng.normal(size=len(df)) + 0.2 * df["d"]
    df["z"] = rng.normal(size=len(df))
    df["y"] = effect * df["d"] + 0.5 * df["x"] + rng.normal(size=len(df)) + 0.1 * df["id"] + 0.05 * df["yr"]
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).reset_index(drop=True)  # unbalanced, shuffled rows
    return df


CASES = {
    "balanced": (dict(drop=0.0), ()),
    "unbalanced": (dict(drop=0.15), ()),
    "unbalanced+controls": (dict(drop=0.15), ("x", "z")),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("kind", ["permute", "in_time"])
def test_placebo_equals_twfe_refits(case, kind):
    kw, controls = CASES[case]
    df = staggered_panel(**kw)
    res = didbook.placebo_test(df, "y", "d", "id", "yr", controls=controls, n=200, seed=4, kind=kind, progress=False)
    fit = didbook.twfe(df, "y", "d", "id", "yr", controls=controls, warn_few_clusters=False)
    assert res.observed == pytest.approx(fit.coef, abs=1e-8)
    rng = np.random.default_rng(0)
    draws = rng.choice(200, size=20 if kind == "permute" else 8, replace=False)
    for r in draws:
        d = df.assign(placebo=res.placebo_treatment(int(r)))
        refit = didbook.twfe(d, "y", "placebo", "id", "yr", controls=controls, warn_few_clusters=False)
        assert res.null_distribution[r] == pytest.approx(refit.coef, abs=1e-8)


def test_permutation_keeps_adoption_pattern_and_in_time_keeps_treated_set():
    df = staggered_panel()
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n=50, seed=2, progress=False)
    observed = np.sort(res.cohorts[0])
    for row in res.cohorts:
        assert np.array_equal(np.sort(row), observed)  # same multiset of adoption periods
    assert not all(np.array_equal(res.cohorts[0], row) for row in res.cohorts[1:])
    res2 = didbook.placebo_test(df, "y", "d", "id", "yr", n=50, seed=2, kind="in_time", progress=False)
    ever = np.isfinite(observed).sum()
    assert all(np.isfinite(row).sum() == ever for row in res2.cohorts)
    assert np.all(res2.cohorts[np.isfinite(res2.cohorts)] >= 1)  # never "treated" from the first period


def test_p_value_formula_and_reproducibility():
    df = staggered_panel(effect=0.0)
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n=300, seed=9, progress=False)
    k = np.sum(np.abs(res.null_distribution) >= abs(res.observed))
    assert res.p_value == pytest.approx((1 + k) / 301)
    again = didbook.placebo_test(df, "y", "d", "id", "yr", n=300, seed=9, progress=False)
    assert np.array_equal(res.null_distribution, again.null_distribution)
    assert res.tidy().loc[0, "p_value"] == res.p_value


def test_large_effect_gives_smallest_p_and_null_centred_at_zero():
    df = staggered_panel(effect=3.0)
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n=400, seed=1, progress=False)
    assert res.p_value == pytest.approx(1 / 401)
    assert abs(np.mean(res.null_distribution)) < 4 * np.std(res.null_distribution) / np.sqrt(400) + 0.05


def test_plot_and_no_stderr_without_progress(capsys):
    df = staggered_panel()
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n=100, seed=3, progress=False)
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.patches) > 0
    assert "p = " in ax.get_title()
    assert capsys.readouterr().err == ""
