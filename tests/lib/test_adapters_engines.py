"""Pins for the engine internals the staggered/honest adapters rely on (didbook.adapters.moderndid, didbook._bjs).

An engine upgrade that changes one of these breaks a test here, not a chapter.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from didbook.adapters.moderndid import FastLPs, cluster_vcov, influence_unit_order


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    import moderndid

    return moderndid.load_mpdta().to_pandas().sample(frac=1, random_state=3)  # shuffled rows on purpose


def _inf(d):
    import moderndid

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mp = moderndid.att_gt(
            data=d, yname="lemp", tname="year", idname="countyreal", gname="first.treat", boot=False, cband=False
        )
    return mp, np.asarray(mp.influence_func)


def test_influence_function_rows_follow_cohort_then_unit_order(mpdta):
    """Perturb one unit's outcome: the influence-function row that moves most is that unit's row."""
    _, p0 = _inf(mpdta)
    order = influence_unit_order(mpdta, "countyreal", "first.treat")
    for pos in (5, 100, 400):
        d2 = mpdta.copy()
        d2.loc[(d2["countyreal"] == order[pos]) & (d2["year"] == 2007), "lemp"] += 1.0
        _, p1 = _inf(d2)
        assert int(np.argmax(np.abs(p1 - p0).max(axis=1))) == pos


def test_cluster_vcov_with_unit_clusters_is_the_engines_se(mpdta):
    mp, p = _inf(mpdta)
    V = cluster_vcov(p, np.arange(p.shape[0]))
    np.testing.assert_allclose(np.sqrt(np.diag(V)), mp.se_gt, rtol=1e-10)


def test_fast_lps_patch_is_undone():
    from moderndid.didhonest import arp_nuisance

    from didbook.honest import _fast_least_favorable_cv, _lean_linprog

    before_cv, before_opt = arp_nuisance.compute_least_favorable_cv, arp_nuisance.opt
    with FastLPs(_fast_least_favorable_cv, _lean_linprog):
        assert arp_nuisance.compute_least_favorable_cv is _fast_least_favorable_cv
        assert arp_nuisance.opt.linprog is _lean_linprog
    assert arp_nuisance.compute_least_favorable_cv is before_cv and arp_nuisance.opt is before_opt


def test_diff_diff_imputation_public_results_used_by_the_bjs_checks():
    """didbook._bjs reproduces ImputationDiD's public SEs without leave-out (and with its unit leave-out):
    the attributes the tests compare with must exist."""
    import diff_diff as dd

    assert "leave_one_out" in dd.ImputationDiD().get_params()


def _dose_panel(seed=4, n=120, periods=5):
    rng = np.random.default_rng(seed)
    dose = np.where(np.arange(n) < n // 2, rng.uniform(0.1, 1, n), 0.0)
    d = pd.DataFrame({"u": np.repeat(np.arange(n) * 7 + 3, periods), "t": np.tile(np.arange(periods) + 2010, n)})
    unit = d["u"].to_numpy() // 7
    d["g"] = np.where(dose > 0, rng.choice([2012, 2013], n), 0)[unit]
    d["dose"] = dose[unit]
    d["x"] = rng.normal(size=len(d))
    d["y"] = 2 * d["dose"] ** 2 * (d["t"] >= d["g"]) * (d["g"] > 0) + d["x"] + rng.normal(size=len(d))
    return d.sample(frac=1, random_state=seed).reset_index(drop=True)  # rows shuffled on purpose


def _same(a, b, key):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), key
        for k in a:
            _same(a[k], b[k], f"{key}[{k!r}]")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert np.asarray(a).dtype == np.asarray(b).dtype, key
        np.testing.assert_array_equal(a, b, err_msg=key)
    else:
        assert a == b, key


def test_continuous_engine_builds_the_engines_own_structures():
    """didbook.adapters.diff_diff.continuous_engine replaces ContinuousDiD's row-by-row pivot: same structures."""
    import diff_diff as dd

    from didbook.adapters.diff_diff import continuous_engine

    d = _dose_panel()
    periods = sorted(d["t"].unique())
    w = np.random.default_rng(1).uniform(0.5, 2, len(d))
    for kwargs in ({}, {"covariates": ["x"], "survey_weights": w}):
        args = (d, "y", "u", "t", "g", "dose", periods)
        ours = continuous_engine()()._precompute_structures(*args, **kwargs)
        theirs = dd.ContinuousDiD()._precompute_structures(*args, **kwargs)
        _same(ours, theirs, "precomp")
    fits = [cls(degree=2, dvals=np.array([0.3, 0.6])).fit(d, "y", "u", "t", "g", "dose") for cls in
            (continuous_engine(), dd.ContinuousDiD)]  # fmt: skip
    assert fits[0].overall_att == fits[1].overall_att and fits[0].overall_att_se == fits[1].overall_att_se
    np.testing.assert_array_equal(fits[0].dose_response_att.effects, fits[1].dose_response_att.effects)
