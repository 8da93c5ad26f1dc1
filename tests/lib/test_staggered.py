"""Tests for didbook.staggered: published R numbers, cross-library agreement, known truth, bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import didbook
from didbook import PanelDataError, staggered

UNIT, TIME, COHORT, Y = "countyreal", "year", "first_treat", "lemp"


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    """Callaway & Sant'Anna's minimum-wage data (R did::mpdta), as shipped inside the moderndid wheel."""
    import moderndid

    df = moderndid.load_mpdta().to_pandas().rename(columns={"first.treat": COHORT})
    assert df.shape == (2500, 6)
    return df


@pytest.fixture(scope="module")
def cs_reg(mpdta):
    return staggered(mpdta, Y, UNIT, TIME, COHORT, method="cs", est_method="reg")


@pytest.fixture(scope="module")
def baseline():
    return didbook.simulate_city_panel(seed=2024)


@pytest.fixture(scope="module")
def homogeneous():
    return didbook.simulate_city_panel(seed=2024, scenario="homogeneous")


# ---------------------------------------------------------------------------------------------
# Published reference: R package did, README of bcallaway11/did (att_gt(..., xformla = ~1,
# est_method = "reg") on mpdta, never-treated controls). Point estimates are deterministic; the
# README's standard errors come from the multiplier bootstrap, ours are analytical, so those are
# compared with a tolerance of 0.002.
# ---------------------------------------------------------------------------------------------
R_ATT_GT = [  # group, time, ATT(g,t), bootstrap SE
    (2004, 2004, -0.0105, 0.0241),
    (2004, 2005, -0.0704, 0.0313),
    (2004, 2006, -0.1373, 0.0380),
    (2004, 2007, -0.1008, 0.0337),
    (2006, 2004, 0.0065, 0.0223),
    (2006, 2005, -0.0028, 0.0196),
    (2006, 2006, -0.0046, 0.0188),
    (2006, 2007, -0.0412, 0.0202),
    (2007, 2004, 0.0305, 0.0154),
    (2007, 2005, -0.0027, 0.0168),
    (2007, 2006, -0.0311, 0.0190),
    (2007, 2007, -0.0261, 0.0182),
]
R_DYNAMIC = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
R_DYNAMIC_OVERALL = (-0.0772, 0.0196)
R_GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}
R_GROUP_OVERALL = (-0.031, 0.0123)


def test_cs_reproduces_published_r_did_group_time_atts(cs_reg):
    gt = cs_reg.att_gt.set_index(["cohort", "time"])
    assert len(gt) == len(R_ATT_GT)
    for g, t, att, se in R_ATT_GT:
        assert gt.loc[(g, t), "estimate"] == pytest.approx(att, abs=6e-5), (g, t)
        assert gt.loc[(g, t), "std_error"] == pytest.approx(se, abs=0.002), (g, t)


def test_cs_reproduces_published_r_did_aggregations(cs_reg):
    dyn = cs_reg.aggregate("dynamic")
    got = dict(zip(dyn.table["event_time"], dyn.table["estimate"]))
    assert sorted(got) == sorted(R_DYNAMIC)
    for e, v in R_DYNAMIC.items():
        assert got[e] == pytest.approx(v, abs=6e-5)
    assert dyn.estimate == pytest.approx(R_DYNAMIC_OVERALL[0], abs=6e-5)
    assert dyn.std_error == pytest.approx(R_DYNAMIC_OVERALL[1], abs=0.002)
    grp = cs_reg.aggregate("group")
    got = dict(zip(grp.table["cohort"], grp.table["estimate"]))
    for g, v in R_GROUP.items():
        assert got[g] == pytest.approx(v, abs=6e-5)
    assert grp.estimate == pytest.approx(R_GROUP_OVERALL[0], abs=6e-4)
    assert grp.std_error == pytest.approx(R_GROUP_OVERALL[1], abs=0.002)
    # tidy contract
    assert list(dyn.tidy().columns[:6]) == ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high"]
    assert "event_time" in dyn.tidy().columns


@pytest.mark.parametrize("est_method", ["reg", "ipw", "dr"])
def test_cs_agrees_with_diff_diff(mpdta, est_method):
    """moderndid (our engine) against diff-diff's independent CallawaySantAnna, with a covariate."""
    import diff_diff as dd

    ours = staggered(mpdta, Y, UNIT, TIME, COHORT, method="cs", est_method=est_method, controls=["lpop"])
    other = dd.CallawaySantAnna(estimation_method=est_method).fit(
        mpdta, outcome=Y, unit=UNIT, time=TIME, first_treat=COHORT, covariates=["lpop"]
    )
    theirs = other.to_dataframe().rename(columns={"group": "cohort"}).set_index(["cohort", "time"])
    mine = ours.att_gt.set_index(["cohort", "time"])
    j = mine.join(theirs, how="inner")
    assert len(j) == 12
    # logit/propensity fits converge to ~1e-6, not to machine precision
    np.testing.assert_allclose(j["estimate"], j["effect"], atol=2e-5)
    np.testing.assert_allclose(j["std_error"], j["se"], rtol=0.02)
    assert ours.estimate == pytest.approx(other.overall_att, abs=2e-5)


def test_cs_notyet_agrees_with_diff_diff(mpdta):
    import diff_diff as dd

    ours = staggered(mpdta, Y, UNIT, TIME, COHORT, method="cs", control="notyet", est_method="reg")
    other = dd.CallawaySantAnna(estimation_method="reg", control_group="not_yet_treated").fit(
        mpdta, outcome=Y, unit=UNIT, time=TIME, first_treat=COHORT
    )
    j = ours.att_gt.set_index(["cohort", "time"]).join(
        other.to_dataframe().rename(columns={"group": "cohort"}).set_index(["cohort", "time"]), how="inner"
    )
    assert len(j) == 12
    np.testing.assert_allclose(j["estimate"], j["effect"], atol=1e-6)
    assert ours.estimate == pytest.approx(other.att, abs=1e-6)


def test_sa_agrees_with_pyfixest_saturated_event_study(mpdta):
    """diff-diff's SunAbraham (engine) vs pyfixest's saturated cohort x relative-time regression."""
    import warnings

    import pyfixest as pf

    ours = staggered(mpdta, Y, UNIT, TIME, COHORT, method="sa")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.event_study(
            mpdta, yname=Y, idname=UNIT, tname=TIME, gname=COHORT, estimator="saturated", att=False, cluster=UNIT
        )
    coefs = fit.coef()
    n = 0
    for _, r in ours.att_gt.iterrows():
        name = f"rel_time::{float(r['event_time'])}:first_treated_period::{int(r['cohort'])}"
        if name in coefs.index:
            assert r["estimate"] == pytest.approx(coefs[name], abs=1e-8), name
            n += 1
    assert n == 12
    # the SA interaction-weighted post-period ATT equals the CS simple ATT without covariates
    cs = staggered(mpdta, Y, UNIT, TIME, COHORT, method="cs", est_method="reg")
    assert ours.estimate == pytest.approx(cs.estimate, abs=1e-8)


def test_bjs_matches_hand_computed_imputation(mpdta):
    """BJS by hand: fit unit + year effects on untreated observations only, impute Y(0), average."""
    import warnings

    import pyfixest as pf

    ours = staggered(mpdta, Y, UNIT, TIME, COHORT, method="bjs")
    d = mpdta.copy()
    d["D"] = ((d[COHORT] > 0) & (d[TIME] >= d[COHORT])).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"{Y} ~ 1 | {UNIT} + {TIME}", data=d[d["D"] == 0], fixef_rm="none")
        fe = fit.fixef()
    a = pd.Series(fe[f"C({UNIT})"]).rename(index=lambda s: int(float(s)))
    b = pd.Series(fe[f"C({TIME})"]).rename(index=lambda s: int(float(s)))
    tr = d[d["D"] == 1].copy()
    tr["tau"] = tr[Y] - tr[UNIT].map(a) - tr[TIME].map(b)
    assert ours.estimate == pytest.approx(tr["tau"].mean(), abs=1e-8)
    tr["e"] = tr[TIME] - tr[COHORT]
    dyn = ours.aggregate("dynamic").table.set_index("event_time")["estimate"]
    hand = tr.groupby("e")["tau"].mean()
    np.testing.assert_allclose(dyn.loc[hand.index], hand, atol=1e-8)
    gt = ours.att_gt.set_index(["cohort", "time"])["estimate"]
    np.testing.assert_allclose(
        gt.loc[(2004, 2006)], tr.query("first_treat == 2004 and year == 2006")["tau"].mean(), atol=1e-8
    )


# ---------------------------------------------------------------------------------------------
# Known truth on the simulated city panel
# ---------------------------------------------------------------------------------------------


# Single-draw smoke tests. The claims themselves (which estimator is unbiased, with what coverage)
# are proven by Monte Carlo over many draws in tests/lib/test_identification.py.


@pytest.mark.parametrize("method", ["sa", "bjs"])
def test_estimators_with_the_identifying_control_cover_the_truth(baseline, method):
    # parallel trends hold conditional on log GDP per capita; the platform is launched province by
    # province, so inference clusters by province
    truth = baseline.truth.att[("platform", "income_gap")]
    fit = staggered(
        baseline.data,
        "income_gap",
        "city_id",
        "year",
        "platform_cohort",
        method=method,
        controls=["log_gdp_pc"],
        treatment="platform_treated",
        cluster="province_id",
    )
    assert fit.conf_low <= truth <= fit.conf_high, (method, fit.estimate, fit.std_error, truth)
    assert fit.df == baseline.data["province_id"].nunique() - 1  # t(G - 1) inference
    assert "degrees of freedom" in fit.info["inference"]


def test_bacon_explains_the_twfe_estimate(baseline):
    d = baseline.data
    truth = baseline.truth.att[("platform", "income_gap")]
    tw = didbook.twfe(d, "income_gap", "platform_treated", "city_id", "year", cluster="province_id")
    bd = didbook.bacon_decomposition(d, "income_gap", "platform_treated", "city_id", "year")
    assert bd.estimate == pytest.approx(tw.estimate, abs=1e-8)
    by = bd.by_type.set_index("type")
    # the comparisons that use already-treated cohorts as controls are the most biased towards 0
    bias = by["estimate"] - truth
    assert bias.idxmax() == "Later vs Earlier Treated" and bias.max() > 0
    assert by.loc["Later vs Earlier Treated", "weight"] > 0.1


def test_homogeneous_effects_everything_agrees(homogeneous):
    d = homogeneous.data
    truth = homogeneous.truth.att[("platform", "income_gap")]
    tw = didbook.twfe(
        d, "income_gap", "platform_treated", "city_id", "year", controls=["log_gdp_pc"], cluster="province_id"
    )
    ests = {"twfe": tw}
    for m in ("sa", "bjs"):
        ests[m] = staggered(
            d,
            "income_gap",
            "city_id",
            "year",
            "platform_cohort",
            method=m,
            controls=["log_gdp_pc"],
            cluster="province_id",
        )
    for name, r in ests.items():
        assert r.conf_low <= truth <= r.conf_high, name
    vals = [r.estimate for r in ests.values()]
    assert max(vals) - min(vals) < 0.15


def test_dynamic_plot_and_summary(baseline):
    import matplotlib.pyplot as plt

    fit = staggered(baseline.data, "income_gap", "city_id", "year", "platform_cohort", method="cs")
    ev = baseline.truth.event("platform", "income_gap").set_index("event_time")["att"]
    ax = fit.plot(truth=ev)
    assert isinstance(ax, matplotlib.axes.Axes)
    plt.close("all")
    assert "ATT (simple)" in fit.summary()
    assert list(fit.tidy().columns) == [
        "term",
        "estimate",
        "std_error",
        "p_value",
        "conf_low",
        "conf_high",
        "cohort",
        "time",
    ]
    cal = fit.aggregate("calendar").tidy()
    assert "time" in cal.columns and len(cal) == baseline.data["year"].nunique() - 4 + 1  # from 2015, + overall
    assert cal["term"].iloc[-1] == "overall" and cal["estimate"].iloc[-1] == fit.aggregate("calendar").estimate
    with pytest.raises(NotImplementedError, match="not available for method='sa'"):
        staggered(baseline.data, "income_gap", "city_id", "year", "platform_cohort", method="sa").aggregate("group")


def test_all_treated_needs_notyet_or_last_cohort():
    panel = didbook.simulate_city_panel(seed=2024, scenario="all_treated")
    d = panel.data
    with pytest.raises(PanelDataError, match="no never-treated units"):
        staggered(d, "income_gap", "city_id", "year", "platform_cohort", control="never")
    cs = staggered(d, "income_gap", "city_id", "year", "platform_cohort", control="notyet")
    assert np.isfinite(cs.estimate)
    sa = staggered(d, "income_gap", "city_id", "year", "platform_cohort", method="sa")
    assert "last-treated cohort" in sa.info["control group"]
    last = d["platform_cohort"].max()
    assert last not in set(sa.att_gt["cohort"])


def test_cs_notyet_notes_restriction_without_never_treated(baseline):
    d = didbook.simulate_city_panel(seed=2024, scenario="all_treated").data
    last = d["platform_cohort"].max()
    cs = staggered(d, "income_gap", "city_id", "year", "platform_cohort", control="notyet")
    assert "no never-treated units" in cs.info["note"] and f"t < {last}" in cs.info["note"]
    post = cs.att_gt[cs.att_gt["event_time"] >= 0]
    assert post["time"].max() < last  # what the note says
    base = staggered(baseline.data, "income_gap", "city_id", "year", "platform_cohort", control="notyet")
    assert "note" not in base.info


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def _small_panel() -> pd.DataFrame:
    return make_panel(
        units=20,
        periods=5,
        start=1,
        first_id=1,
        time="t",
        cohort="g",
        controls=("x",),
        effect=1.0,
        unit_cohorts=[3] * 6 + [4] * 6 + [0] * 8,
        cluster_size=None,
    )


def test_small_panel_runs():
    fit = staggered(_small_panel(), "y", "id", "t", "g", treatment="d", est_method="reg")
    assert fit.att_gt.shape[0] == 2 * 4
    assert fit.estimate == pytest.approx(1.0, abs=0.6)


@pytest.mark.parametrize(
    "mutate,match",
    [
        (lambda d: d.drop(columns="y"), "missing column"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), "duplicated"),
        (lambda d: d.assign(y=d["y"].where(d.index != 3)), "missing value"),
        (lambda d: d.assign(d=d["d"] * 2), "binary"),
        (lambda d: d.assign(d=np.where((d.id == 1) & (d.t == 5), 0, d["d"])), "switches off"),
        (lambda d: d.assign(g=np.where(d.id == 3, 5, d["g"])), "inconsistent with treatment"),
        (lambda d: d.assign(g=np.where((d.id == 3) & (d.t == 1), 5, d["g"])), "not constant within unit"),
        (lambda d: d.assign(x2=2 * d["x"]), "collinear"),
        (
            lambda d: d.assign(
                g=np.where(d.g == 0, 4, d["g"]),
                d=((np.where(d.g == 0, 4, d["g"]) > 0) & (d.t >= np.where(d.g == 0, 4, d["g"]))).astype(int),
            ),
            "no never-treated",
        ),
        (lambda d: d.assign(g=np.where(d.id == 1, 1, d["g"]), d=np.where(d.id == 1, 1, d["d"])), "first period"),
    ],
)
def test_bad_input_raises_clear_error(mutate, match):
    d = mutate(_small_panel())
    covs = ["x", "x2"] if "x2" in d.columns else []
    with pytest.raises(PanelDataError, match=match):
        staggered(d, "y", "id", "t", "g", treatment="d", controls=covs, est_method="reg")


def test_bad_options():
    d = _small_panel()
    with pytest.raises(ValueError, match="method must be"):
        staggered(d, "y", "id", "t", "g", method="twfe")
    with pytest.raises(ValueError, match="control must be"):
        staggered(d, "y", "id", "t", "g", control="later")
    with pytest.raises(ValueError, match="control='notyet' is available for method='cs'"):
        staggered(d, "y", "id", "t", "g", method="sa", control="notyet")
    with pytest.raises(PanelDataError, match="no treated units"):
        staggered(d.assign(g=0), "y", "id", "t", "g")


@pytest.mark.parametrize("cluster", ["province_id", None])
def test_bjs_dynamic_overall_standard_error(baseline, cluster):
    """diff-diff's ImputationDiD gives per-horizon SEs but no covariance, so the overall dynamic SE used to be
    NaN. didbook builds the covariance from the engine's cluster influence sums; check it three ways."""
    from diff_diff.imputation_aggregation import _compute_target_weights

    fit = staggered(baseline.data, "income_gap", "city_id", "year", "platform_cohort", method="bjs", cluster=cluster)
    dyn = fit.aggregate("dynamic")
    tb = dyn.table
    assert np.isfinite(dyn.std_error) and dyn.std_error > 0
    # 1. the covariance reproduces the engine's per-horizon standard errors
    np.testing.assert_allclose(np.sqrt(np.diag(dyn.vcov)), tb["std_error"], rtol=1e-8)
    # 2. delta method: the overall is the equal-weight mean of the post horizons
    post = (tb["event_time"] >= 0).to_numpy()
    w = post / post.sum()
    assert dyn.estimate == pytest.approx(float(w @ tb["estimate"]), abs=1e-12)
    assert dyn.std_error == pytest.approx(float(np.sqrt(w @ dyn.vcov @ w)), rel=1e-10)
    # 3. independently: the engine's conservative variance for the combined observation weights
    est = fit.engine._estimator_ref
    fd = est._fit_data
    tau = fd["df"]["_tau_hat"].loc[fd["omega_1_mask"]].to_numpy(dtype=float)
    rel = fd["df"].loc[fd["omega_1_mask"], "_rel_time"].to_numpy(dtype=float)
    combined = sum(_compute_target_weights(tau, rel == h)[0] * wh for h, wh in zip(tb["event_time"], w) if wh > 0)
    keys = (
        "df",
        "outcome",
        "unit",
        "time",
        "first_treat",
        "covariates",
        "omega_0_mask",
        "omega_1_mask",
        "unit_fe",
        "time_fe",
        "grand_mean",
        "delta_hat",
        "cluster_var",
        "kept_cov_mask",
    )
    direct = est._compute_conservative_variance(**{k: fd[k] for k in keys}, weights=combined)
    assert dyn.std_error == pytest.approx(direct, rel=1e-8)
    assert dyn.tidy()["term"].iloc[-1] == "overall"
