"""didbook.etwfe: equals BJS imputation on mpdta (-0.04771), the R etwfe README with lpop (-0.0506), vocabulary."""

from __future__ import annotations

import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook
from didbook import PanelDataError


@pytest.fixture(scope="module")
def mpdta():
    return didbook.load_dataset("mpdta").data


@pytest.fixture(scope="module")
def fit(mpdta):
    return didbook.etwfe(mpdta, "lemp", "countyreal", "year", "first.treat")


def test_simple_att_equals_bjs_imputation_on_mpdta(mpdta, fit):
    bjs = didbook.staggered(mpdta, "lemp", "countyreal", "year", "first.treat", method="bjs")
    assert fit.estimate == pytest.approx(-0.04771, abs=5e-6)
    assert fit.estimate == pytest.approx(bjs.estimate, abs=1e-8)
    # the cohort x period cells are the imputation estimator's mean imputed effects
    gt = fit.att_gt.set_index(["cohort", "time"])["estimate"]
    ref = bjs.att_gt.set_index(["cohort", "time"])["estimate"]
    assert gt.sort_index().to_numpy() == pytest.approx(ref.sort_index().to_numpy(), abs=1e-8)


def test_with_lpop_matches_the_r_etwfe_readme(mpdta):
    """R etwfe README: etwfe(lemp ~ lpop, tvar = year, gvar = first.treat, vcov = ~countyreal); emfx: -0.0506 (0.0125)."""
    f = didbook.etwfe(mpdta, "lemp", "countyreal", "year", "first.treat", controls=["lpop"])
    assert f.estimate == pytest.approx(-0.0506, abs=5e-5)
    assert f.std_error == pytest.approx(0.0125, abs=5e-5)


def test_vocabulary_and_event_times(fit):
    check_vocabulary(fit)
    assert fit.tidy()["event_time"].dropna().astype(int).tolist() == [0, 1, 2, 3]
    assert fit.info["n_clusters"] == 500 and fit.df == 499


def test_odd_column_names_and_clusters():
    df = staggered_panel(seed=1)
    odd = df.rename(columns={"id": "城市 id", "t": "year.1", "g": "first treat", "y": "income gap", "x": "log gdp",
                             "prov": "省 (prov)"})  # fmt: skip
    a = didbook.etwfe(df, "y", "id", "t", "g", controls=["x"], cluster="prov")
    b = didbook.etwfe(odd, "income gap", "城市 id", "year.1", "first treat", controls=["log gdp"], cluster="省 (prov)")
    assert b.estimate == pytest.approx(a.estimate, abs=1e-12) and b.std_error == pytest.approx(a.std_error, abs=1e-12)
    assert a.info["n_clusters"] == df["prov"].nunique()
    assert a.std_error != pytest.approx(didbook.etwfe(df, "y", "id", "t", "g", controls=["x"]).std_error)


def test_errors_name_the_users_columns():
    df = staggered_panel(seed=2).rename(columns={"g": "first treat"})
    with pytest.raises(PanelDataError, match="first treat"):
        didbook.etwfe(df.assign(**{"first treat": df["first treat"] + (df["t"] == 3)}), "y", "id", "t", "first treat")
    with pytest.raises(PanelDataError, match="'income'"):
        didbook.etwfe(df, "income", "id", "t", "first treat")
    with pytest.raises(ValueError, match="control"):
        didbook.etwfe(df, "y", "id", "t", "first treat", control="all")
