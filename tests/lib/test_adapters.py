"""didbook.adapters.pyfixest: each function agrees with the pyfixest *public* result it stands for.

The adapter is the only module that reads pyfixest internals (``_coefnames``, ``_vcov``, ``_N``,
``_G``, ``_r2_within``, ``_collin_vars``, ``_df_t``). If a pyfixest upgrade changes one of them,
the matching test here fails by name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from didbook.adapters import pyfixest as pfx


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(5)
    units, periods = 24, 6
    df = pd.DataFrame([(u, t) for u in range(units) for t in range(periods)], columns=["unit", "year"])
    df["cluster"] = df["unit"] % 8
    df["d"] = ((df["unit"] % 3 == 0) & (df["year"] >= 3)).astype(float)
    df["x"] = rng.normal(size=len(df))
    df["y"] = 0.7 * df["d"] + 0.4 * df["x"] + rng.normal(size=len(df)) + 0.1 * df["unit"] + 0.2 * df["year"]
    return df


@pytest.fixture(scope="module")
def clustered(panel):
    return pfx.feols("y ~ d + x | unit + year", panel, vcov={"CRV1": "cluster"})


def test_feols_keeps_every_row_and_names(clustered, panel):
    assert pfx.n_obs(clustered) == len(panel) == len(clustered.resid())
    assert pfx.coef_names(clustered) == list(clustered.coef().index) == ["d", "x"]


def test_coefficients_and_vcov_agree_with_coef_and_se(clustered):
    np.testing.assert_allclose(pfx.coefficients(clustered), clustered.coef().to_numpy(), rtol=0, atol=1e-14)
    V = pfx.vcov_matrix(clustered)
    assert list(V.index) == list(V.columns) == ["d", "x"]
    np.testing.assert_allclose(np.sqrt(np.diag(V)), clustered.se().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(V.to_numpy(), V.to_numpy().T, atol=1e-15)


def test_n_clusters_counts_the_cluster_values(clustered, panel):
    assert pfx.n_clusters(clustered) == panel["cluster"].nunique() == 8
    hetero = pfx.feols("y ~ d + x | unit + year", panel, vcov="hetero")
    assert pfx.n_clusters(hetero) is None


def test_residual_df_reproduces_the_tidy_p_values(clustered):
    tb = clustered.tidy()
    t = tb["Estimate"] / tb["Std. Error"]
    p = 2 * stats.t.sf(np.abs(t), pfx.residual_df(clustered))
    np.testing.assert_allclose(p, tb["Pr(>|t|)"].to_numpy(), rtol=1e-10)
    assert pfx.residual_df(clustered) == 8 - 1  # G - 1 with clustering


def test_r2_within_equals_the_two_way_demeaned_r2(clustered, panel):
    def demean(v):  # balanced panel: the two-way within transformation is exact
        s = panel.assign(v=v)
        return v - s.groupby("unit")["v"].transform("mean") - s.groupby("year")["v"].transform("mean") + v.mean()

    yw = demean(panel["y"])
    ssr = float(np.sum(clustered.resid() ** 2))
    assert pfx.r2_within(clustered) == pytest.approx(1 - ssr / float(np.sum(yw**2)), rel=1e-10)


def test_collinear_vars_lists_what_coef_leaves_out(panel):
    df = panel.assign(x2=2 * panel["x"])
    fit = pfx.feols("y ~ d + x + x2 | unit + year", df, vcov={"CRV1": "cluster"})
    assert pfx.collinear_vars(fit) == ["x2"]
    assert "x2" not in fit.coef().index
    assert pfx.collinear_vars(pfx.feols("y ~ d + x | unit + year", panel, vcov="iid")) == []


def test_tidy_is_the_public_tidy_renamed(clustered):
    ours, theirs = pfx.tidy(clustered), clustered.tidy()
    assert list(ours.columns) == ["estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert list(ours.index) == [str(i) for i in theirs.index]
    np.testing.assert_array_equal(ours["std_error"], theirs["Std. Error"])
    np.testing.assert_array_equal(ours["conf_high"], theirs["97.5%"])
