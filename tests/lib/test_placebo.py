"""placebo_test: the one-pass FWL placebo coefficients equal full twfe refits (to 1e-8)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import didbook


def staggered_panel(seed=1, units=50, periods=10, drop=0.0, effect=0.3):
    return make_panel(
        seed=seed,
        units=units,
        periods=periods,
        start=2000,
        drop=drop,
        effect=effect,
        cohorts=(2003, 2005, 2007, 0),
        controls=("z", "x"),
        shuffle=drop > 0,
    )


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
    res = didbook.placebo_test(
        df, "y", "d", "id", "yr", controls=controls, n_draws=200, seed=4, kind=kind, progress=False
    )
    fit = didbook.twfe(df, "y", "d", "id", "yr", controls=controls, warn_few_clusters=False)
    assert res.estimate == pytest.approx(fit.estimate, abs=1e-8)
    rng = np.random.default_rng(0)
    draws = rng.choice(200, size=20 if kind == "permute" else 8, replace=False)
    for r in draws:
        d = df.assign(placebo=res.placebo_treatment(int(r)))
        refit = didbook.twfe(d, "y", "placebo", "id", "yr", controls=controls, warn_few_clusters=False)
        assert res.null_distribution[r] == pytest.approx(refit.estimate, abs=1e-8)


def test_permutation_keeps_adoption_pattern_and_in_time_keeps_treated_set():
    df = staggered_panel()
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=50, seed=2, progress=False)
    observed = np.sort(res.cohorts[0])
    for row in res.cohorts:
        assert np.array_equal(np.sort(row), observed)  # same multiset of adoption periods
    assert not all(np.array_equal(res.cohorts[0], row) for row in res.cohorts[1:])
    res2 = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=50, seed=2, kind="in_time", progress=False)
    ever = np.isfinite(observed).sum()
    assert all(np.isfinite(row).sum() == ever for row in res2.cohorts)
    assert np.all(res2.cohorts[np.isfinite(res2.cohorts)] >= 1)  # never "treated" from the first period


def test_p_value_formula_and_reproducibility():
    df = staggered_panel(effect=0.0)
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=300, seed=9, progress=False)
    k = np.sum(np.abs(res.null_distribution) >= abs(res.estimate))
    assert res.p_value == pytest.approx((1 + k) / 301)
    again = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=300, seed=9, progress=False)
    assert np.array_equal(res.null_distribution, again.null_distribution)
    assert res.tidy().loc[0, "p_value"] == res.p_value


def test_large_effect_gives_smallest_p_and_null_centred_at_zero():
    df = staggered_panel(effect=3.0)
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=400, seed=1, progress=False)
    assert res.p_value == pytest.approx(1 / 401)
    assert abs(np.mean(res.null_distribution)) < 4 * np.std(res.null_distribution) / np.sqrt(400) + 0.05


def test_plot_and_no_stderr_without_progress(capsys):
    df = staggered_panel()
    res = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=100, seed=3, progress=False)
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.patches) > 0
    assert "p = " in ax.get_title()
    assert capsys.readouterr().err == ""


# ---- cluster-level re-assignment (cluster=) ---------------------------------------------------------------
CITY_SPEC = dict(outcome="income_gap", treatment="platform_treated", unit="city_id", time="year")
CITY_CONTROLS = ("log_gdp_pc", "fiscal_exp_gdp")


def city_panel(seed=5, drop=0.0, scenario="baseline"):
    df = didbook.simulate_city_panel(seed=seed, n_cities=60, n_provinces=10, scenario=scenario).data
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).reset_index(drop=True)  # unbalanced, shuffled rows
    return df


CLUSTER_CASES = {
    "balanced": (dict(), ()),
    "unbalanced scenario": (dict(scenario="unbalanced"), ()),
    "dropped rows+controls": (dict(drop=0.15), CITY_CONTROLS),
}


@pytest.mark.parametrize("case", list(CLUSTER_CASES))
@pytest.mark.parametrize("kind", ["permute", "in_time"])
def test_cluster_placebo_equals_twfe_refits(case, kind):
    kw, controls = CLUSTER_CASES[case]
    df = city_panel(**kw)
    res = didbook.placebo_test(
        df, **CITY_SPEC, controls=controls, n_draws=100, seed=3, kind=kind, cluster="province_id", progress=False
    )
    assert res.cluster == "province_id" and res.info["cluster"] == "province_id"
    fit = didbook.twfe(df, **CITY_SPEC, controls=controls, warn_few_clusters=False)
    assert res.estimate == pytest.approx(fit.estimate, abs=1e-8)
    for r in range(0, 100, 10):  # 10 draws
        d = df.assign(placebo=res.placebo_treatment(r))
        refit = didbook.twfe(d, "income_gap", "placebo", "city_id", "year", controls=controls, warn_few_clusters=False)
        assert res.null_distribution[r] == pytest.approx(refit.estimate, abs=1e-8)


@pytest.mark.parametrize("kind", ["permute", "in_time"])
def test_cluster_draws_share_one_cohort_per_cluster(kind):
    df = city_panel(drop=0.1)
    res = didbook.placebo_test(df, **CITY_SPEC, n_draws=50, seed=1, kind=kind, cluster="province_id", progress=False)
    prov_of_unit = df.groupby("city_id")["province_id"].first().reindex(res.units).to_numpy()
    for row in res.cohorts:
        per_prov = pd.Series(row).groupby(prov_of_unit).nunique()
        assert (per_prov == 1).all()
    prov_cohort = pd.Series(res.cohorts[0]).groupby(prov_of_unit).first()
    assert not all(np.array_equal(pd.Series(row).groupby(prov_of_unit).first(), prov_cohort) for row in res.cohorts)
    # placebo treatment identical for all cities of a province in a given year
    d = df.assign(p=res.placebo_treatment(7))
    assert (d.groupby(["province_id", "year"])["p"].nunique() == 1).all()


def test_cluster_none_unchanged_and_permute_keeps_cluster_pattern():
    df = city_panel()
    a = didbook.placebo_test(df, **CITY_SPEC, n_draws=100, seed=2, progress=False)
    b = didbook.placebo_test(df, **CITY_SPEC, n_draws=100, seed=2, cluster=None, progress=False)
    assert np.array_equal(a.null_distribution, b.null_distribution) and a.cluster is None
    assert "Cluster (re-assignment level)" not in a.info
    res = didbook.placebo_test(df, **CITY_SPEC, n_draws=50, seed=2, cluster="province_id", progress=False)
    prov_of_unit = df.groupby("city_id")["province_id"].first().reindex(res.units).to_numpy()
    first = np.sort(pd.Series(res.cohorts[0]).groupby(prov_of_unit).first().to_numpy())
    for row in res.cohorts:  # same multiset of province adoption periods in every draw
        assert np.array_equal(np.sort(pd.Series(row).groupby(prov_of_unit).first().to_numpy()), first)


def test_cluster_null_distribution_is_wider_with_province_shocks():
    df = city_panel(seed=2024)
    unit_level = didbook.placebo_test(df, **CITY_SPEC, n_draws=400, seed=0, progress=False)
    clustered = didbook.placebo_test(df, **CITY_SPEC, n_draws=400, seed=0, cluster="province_id", progress=False)
    ratio = np.std(clustered.null_distribution, ddof=1) / np.std(unit_level.null_distribution, ddof=1)
    assert ratio > 1.2


def test_cluster_errors():
    df = city_panel()
    bad = df.copy()
    city = bad.loc[bad["platform_cohort"] > 0, "city_id"].iloc[0]
    prov = bad.loc[bad["city_id"] == city, "province_id"].iloc[0]
    bad.loc[bad["city_id"] == city, "platform_treated"] = 0  # one city of a launching province never adopts
    with pytest.raises(didbook.PanelDataError, match=rf"differs within cluster province_id={prov}\b"):
        didbook.placebo_test(bad, **CITY_SPEC, n_draws=20, cluster="province_id", progress=False)
    moved = df.copy()
    rows = moved.index[moved["city_id"] == city][:3]
    moved.loc[rows, "province_id"] = "elsewhere"  # a city that belongs to two provinces
    with pytest.raises(didbook.PanelDataError, match="varies within unit"):
        didbook.placebo_test(moved, **CITY_SPEC, n_draws=20, cluster="province_id", progress=False)
    with pytest.raises(didbook.PanelDataError, match="missing column"):
        didbook.placebo_test(df, **CITY_SPEC, n_draws=20, cluster="prov", progress=False)
