"""wild_cluster_bootstrap: identical p-values to the wildboottest package, CI by test inversion, truth."""

from __future__ import annotations

import warnings

import pyfixest as pf
import pytest
from conftest import make_panel

import didbook


def clustered_panel(seed=5, units=40, periods=8, clusters=10, effect=0.15):
    return make_panel(
        seed=seed,
        units=units,
        periods=periods,
        start=0,
        n_clusters=clusters,
        cohorts=(3, 5),
        treated_cluster_share=0.5,
        effect=effect,
        controls=("x",),
        cluster_shock=1.0,
    )


@pytest.fixture(scope="module")
def panel():
    return clustered_panel()


def wildboottest_reference(df, B, weights, impose_null, seed):
    """wildboottest on the one-hot (dummy-variable) model, through pyfixest."""
    fit = pf.feols("y ~ d + x + C(id) + C(yr)", df, vcov={"CRV1": "prov"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fit.wildboottest(param="d", reps=B, seed=seed, weights_type=weights, impose_null=impose_null)
    return float(out["Pr(>|t|)"])


@pytest.mark.parametrize(
    "B, weights, impose_null",
    [(9999, "rademacher", True), (999, "rademacher", True), (999, "webb", True), (999, "rademacher", False)],
)
def test_pvalue_identical_to_wildboottest(panel, B, weights, impose_null):
    res = didbook.wild_cluster_bootstrap(
        panel,
        "y",
        "d",
        "id",
        "yr",
        "prov",
        controls=["x"],
        n_draws=B,
        weight_type=weights,
        seed=3,
        impose_null=impose_null,
        conf_int=False,
    )
    ref = wildboottest_reference(panel, B, weights, impose_null, seed=3)  # plain share #{|t*| >= |t|} / B
    assert res.full_enumeration == (B == 9999 and weights == "rademacher")
    if res.full_enumeration:
        assert res.p_value == ref  # the enumeration includes the observed sample: exact share, no +1
    else:
        # same draws; didbook counts the observed sample as one draw: (1 + #) / (1 + B)
        assert res.p_value == pytest.approx((1 + ref * B) / (1 + B), abs=1e-12)
    assert res.n_draws == (2**10 if res.full_enumeration else B)


def test_t_stat_and_estimate_match_twfe(panel):
    res = didbook.wild_cluster_bootstrap(
        panel, "y", "d", "id", "yr", "prov", controls=["x"], n_draws=199, conf_int=False
    )
    fit = didbook.twfe(panel, "y", "d", "id", "yr", controls=["x"], cluster="prov", warn_few_clusters=False)
    assert res.estimate == pytest.approx(fit.estimate, abs=1e-10)
    assert res.t_stat == pytest.approx(fit.estimate / fit.std_error, abs=1e-8)
    assert res.n_clusters == 10 and res.t_boot.shape == (199,)


def test_confidence_interval_is_test_inversion(panel):
    """At the CI end points the bootstrap p-value of H0: beta = beta0 crosses alpha."""
    res = didbook.wild_cluster_bootstrap(panel, "y", "d", "id", "yr", "prov", n_draws=999, seed=2, weight_type="webb")
    lo, hi = res.conf_low, res.conf_high
    assert lo < res.estimate < hi
    width = hi - lo

    def p_at(beta0):
        shifted = panel.assign(y=panel["y"] - beta0 * panel["d"])  # H0: beta = beta0 <=> shifted beta = 0
        return didbook.wild_cluster_bootstrap(
            shifted, "y", "d", "id", "yr", "prov", n_draws=999, seed=2, weight_type="webb", conf_int=False
        ).p_value

    eps = 1e-3 * width
    assert p_at(lo - eps) < 0.05 <= p_at(lo + eps)
    assert p_at(hi + eps) < 0.05 <= p_at(hi - eps)
    tb = res.tidy()
    assert tb.loc[0, "conf_low"] == lo and tb.loc[0, "p_value"] == res.p_value


def test_homogeneous_simulation_covers_truth():
    sim = didbook.simulate_city_panel(seed=11, scenario="homogeneous")
    truth = sim.truth.att[("platform", "income_gap")]
    res = didbook.wild_cluster_bootstrap(
        sim.data, "income_gap", "platform_treated", "city_id", "year", "province_id", n_draws=999, seed=1
    )
    assert res.conf_low < truth < res.conf_high
    assert res.p_value < 0.01  # a real effect of -1 is detected with 30 provinces


def test_pvalue_is_never_zero_with_random_draws(panel):
    """Far from the null no draw reaches |t|: p = 1 / (1 + n_draws), as in placebo_test, not 0."""
    far = panel.assign(y=panel["y"] + 5.0 * panel["d"])
    res = didbook.wild_cluster_bootstrap(
        far, "y", "d", "id", "yr", "prov", n_draws=99, weight_type="webb", seed=1, conf_int=False
    )
    assert res.p_value == pytest.approx(1 / 100)
