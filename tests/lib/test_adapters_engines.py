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
