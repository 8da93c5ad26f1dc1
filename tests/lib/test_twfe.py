"""twfe: published values on real data, agreement with independent implementations, known truth."""

from __future__ import annotations

import warnings

import numpy as np
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf
from conftest import make_panel

import didbook

CASTLE_CONTROLS = [
    "blackm_15_24",
    "whitem_15_24",
    "blackm_25_44",
    "whitem_25_44",
    "l_exp_subsidy",
    "l_exp_pubwelfare",
    "l_police",
    "unemployrt",
    "poverty",
    "l_income",
    "l_prisoner",
    "l_lagprisoner",
]


@pytest.fixture(scope="module")
def castle():
    return didbook.load_dataset("castle").data


def small_panel(seed=7, units=48, periods=9, drop=0.1):
    """Staggered panel with controls, weights, provinces; ``drop`` share of rows removed (unbalanced)."""
    return make_panel(seed=seed, units=units, periods=periods, drop=drop)


# ----------------------------------------------------------------------------- published values


def test_castle_basic_published(castle):
    fit = didbook.twfe(castle, "l_homicide", "post", "sid", "year", treatment_type="share")
    assert round(fit.estimate, 6) == 0.069398
    assert fit.nobs == 550 and fit.n_clusters == 50


def test_castle_mixtape_full_specification(castle):
    """Cunningham's felm: controls + region-by-year dummies + state trends, weights popwt, cluster sid."""
    region_year = [c for c in castle.columns if c.startswith("r20")]
    trends = [c for c in castle.columns if c.startswith("trend_")]
    fit = didbook.twfe(
        castle,
        "l_homicide",
        "post",
        "sid",
        "year",
        controls=CASTLE_CONTROLS + region_year + trends,
        weights="popwt",
        treatment_type="share",
        drop_collinear=True,
    )
    assert round(fit.estimate, 6) == 0.076949
    assert round(fit.std_error, 6) == 0.033938
    assert "r20004" in fit.dropped_collinear  # the redundant dummies are reported, not hidden
    # the same model with the library's own unit trends instead of the trend_* columns
    fit2 = didbook.twfe(
        castle,
        "l_homicide",
        "post",
        "sid",
        "year",
        controls=CASTLE_CONTROLS + region_year,
        weights="popwt",
        treatment_type="share",
        unit_trends=True,
        drop_collinear=True,
    )
    assert fit2.estimate == pytest.approx(fit.estimate, abs=1e-9)
    assert fit2.std_error == pytest.approx(fit.std_error, abs=1e-9)


def test_castle_small_sample_correction_choice(castle):
    """Only k_fixef='nonnested' (the default) reproduces the published 0.033938."""
    region_year = [c for c in castle.columns if c.startswith("r20")]
    trends = [c for c in castle.columns if c.startswith("trend_")]
    kw = dict(
        controls=CASTLE_CONTROLS + region_year + trends, weights="popwt", treatment_type="share", drop_collinear=True
    )
    full = didbook.twfe(castle, "l_homicide", "post", "sid", "year", ssc=pf.ssc(k_fixef="full"), **kw)
    assert round(full.std_error, 6) != 0.033938


def test_organ_donations_published():
    df = didbook.load_dataset("organ_donations").data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = didbook.twfe(df, "Rate", "Treated", "State", "Quarter")
    assert "27 clusters" in fit.notes[0]
    assert round(fit.estimate, 6) == -0.022459
    assert round(fit.std_error, 6) == 0.006131
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        didbook.twfe(df, "Rate", "Treated", "State", "Quarter", warn_few_clusters=False)


def test_injury_wooldridge_13_4():
    """Repeated cross-sections (not a panel): the 2x2 DID is plain OLS with the interaction."""
    df = didbook.load_dataset("injury").data
    m = smf.ols("ldurat ~ afchnge + highearn + afhigh", data=df[df["ky"] == 1]).fit()
    assert round(m.params["afhigh"], 4) == 0.1906
    assert round(m.bse["afhigh"], 4) == 0.0685
    # twfe refuses it rather than guessing a panel structure
    with pytest.raises(didbook.PanelDataError, match="duplicated"):
        didbook.twfe(df[df["ky"] == 1], "ldurat", "afhigh", "highearn", "afchnge")


# ----------------------------------------------------------------------------- independent implementations


def test_agrees_with_statsmodels_dummies_clustered():
    df = small_panel()
    fit = didbook.twfe(
        df,
        "y",
        "d",
        "id",
        "yr",
        controls=["x1", "x2"],
        cluster="prov",
        ssc=pf.ssc(k_fixef="full"),
        warn_few_clusters=False,
    )
    m = smf.ols("y ~ d + x1 + x2 + C(id) + C(yr)", df).fit(cov_type="cluster", cov_kwds={"groups": df["prov"]})
    for term in ["d", "x1", "x2"]:
        row = fit.tidy().set_index("term").loc[term]
        assert row["estimate"] == pytest.approx(m.params[term], abs=1e-6)
        assert row["std_error"] == pytest.approx(m.bse[term], abs=1e-6)
    assert fit.vcov.loc["x1", "x2"] == pytest.approx(m.cov_params().loc["x1", "x2"], abs=1e-6)


def test_agrees_with_pyfixest_default_ssc_and_linearmodels():
    from linearmodels import PanelOLS

    df = small_panel()
    fit = didbook.twfe(df, "y", "d", "id", "yr", controls=["x1", "x2"], cluster="prov", warn_few_clusters=False)
    p = pf.feols("y ~ d + x1 + x2 | id + yr", df, vcov={"CRV1": "prov"})
    assert fit.estimate == pytest.approx(p.coef()["d"], abs=1e-6)
    assert fit.std_error == pytest.approx(p.se()["d"], abs=1e-6)
    assert fit.p_value == pytest.approx(p.pvalue()["d"], abs=1e-6)
    assert fit.r2_within == pytest.approx(p._r2_within, abs=1e-6)
    pdf = df.set_index(["id", "yr"])
    lm = PanelOLS(pdf["y"], pdf[["d", "x1", "x2"]], entity_effects=True, time_effects=True).fit()
    assert fit.estimate == pytest.approx(lm.params["d"], abs=1e-6)


def test_weights_and_robust_and_iid_vs_statsmodels():
    df = small_panel(seed=3)
    full = pf.ssc(k_fixef="full")
    fw = didbook.twfe(df, "y", "d", "id", "yr", controls=["x1"], weights="w", ssc=full, warn_few_clusters=False)
    mw = smf.wls("y ~ d + x1 + C(id) + C(yr)", df, weights=df["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": df["id"]}
    )
    assert fw.estimate == pytest.approx(mw.params["d"], abs=1e-6)
    assert fw.std_error == pytest.approx(mw.bse["d"], abs=1e-6)
    fr = didbook.twfe(df, "y", "d", "id", "yr", vcov="robust", ssc=full)
    mr = smf.ols("y ~ d + C(id) + C(yr)", df).fit(cov_type="HC1")
    assert fr.std_error == pytest.approx(mr.bse["d"], abs=1e-6) and fr.n_clusters is None
    fi = didbook.twfe(df, "y", "d", "id", "yr", vcov="iid", ssc=full)
    mi = smf.ols("y ~ d + C(id) + C(yr)", df).fit()
    assert fi.std_error == pytest.approx(mi.bse["d"], abs=1e-6)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.SingularMatrixWarning")
def test_unit_trends_and_extra_fixed_effects_vs_dummies():
    df = small_panel(seed=5)
    full = pf.ssc(k_fixef="full")
    ft = didbook.twfe(df, "y", "d", "id", "yr", unit_trends=True, vcov="iid", ssc=full)
    mt = smf.ols("y ~ d + C(id) + C(yr) + C(id):yr", df).fit()
    assert ft.estimate == pytest.approx(mt.params["d"], abs=1e-6)
    assert ft.std_error == pytest.approx(mt.bse["d"], abs=1e-6)
    # id and region^yr effects overlap (ids are nested in regions), so the two programs count K
    # differently; compare the HC0 standard error, which has no K correction.
    fe = didbook.twfe(
        df, "y", "d", "id", "yr", controls=["x1"], fixed_effects=["region^yr"], vcov="robust", ssc=pf.ssc(k_adj=False)
    )
    me = smf.ols("y ~ d + x1 + C(id) + C(region):C(yr)", df).fit(cov_type="HC0")
    assert fe.estimate == pytest.approx(me.params["d"], abs=1e-6)
    assert fe.std_error == pytest.approx(me.bse["d"], abs=1e-6)
    assert fe.fixed_effects == ["region^yr"]


def test_result_interface():
    df = small_panel()
    fit = didbook.twfe(df, "y", "d", "id", "yr", controls=["x1"], warn_few_clusters=False)
    tb = fit.tidy()
    assert list(tb.columns) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert tb["term"].tolist() == ["d", "x1"]
    assert tb.loc[0, "conf_low"] < fit.estimate < tb.loc[0, "conf_high"]
    assert "Two-way fixed effects" in fit.summary() and "clustered by id" in fit.summary()
    assert fit.vcov.shape == (2, 2) and fit.std_error == pytest.approx(np.sqrt(fit.vcov.loc["d", "d"]))


# ----------------------------------------------------------------------------- known truth


@pytest.mark.parametrize("seed", [11, 12])
def test_homogeneous_simulation_covers_truth(seed):
    panel = didbook.simulate_city_panel(seed=seed, scenario="homogeneous")
    truth = panel.truth.att[("platform", "income_gap")]
    fit = didbook.twfe(
        panel.data, "income_gap", "platform_treated", "city_id", "year", cluster="province_id", warn_few_clusters=False
    )
    lo, hi = fit.tidy().loc[0, ["conf_low", "conf_high"]]
    assert lo < truth < hi
    assert abs(fit.estimate - truth) < 3 * fit.std_error
