"""Bad input to twfe / event_study / placebo_test / wild_cluster_bootstrap raises errors naming the problem."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import didbook
from didbook import PanelDataError


def panel(units=12, periods=6, seed=0):
    ids = np.arange(units)
    return make_panel(
        units=units,
        periods=periods,
        start=2010,
        seed=seed,
        cluster_size=2,
        controls=("x",),
        effect=0.5,
        unit_cohorts=np.where(ids % 3 == 0, 2012, np.where(ids % 3 == 1, 2014, 0)),
    )


def call(fn, df, **kw):
    if fn == "twfe":
        return didbook.twfe(df, "y", "d", "id", "yr", warn_few_clusters=False, **kw)
    if fn == "placebo":
        return didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=20, progress=False, **kw)
    if fn == "bootstrap":
        return didbook.wild_cluster_bootstrap(df, "y", "d", "id", "yr", "prov", n_draws=99, conf_int=False, **kw)
    if fn == "event_study":
        return didbook.event_study(df, "y", "id", "yr", "cohort", leads=2, lags=2, warn_few_clusters=False, **kw)
    raise AssertionError(fn)


ALL = ["twfe", "placebo", "bootstrap", "event_study"]
WITH_D = ["twfe", "placebo", "bootstrap"]


@pytest.mark.parametrize("fn", ALL)
def test_missing_column(fn):
    with pytest.raises(PanelDataError, match=r"missing column\(s\) \['y'\]"):
        call(fn, panel().drop(columns="y"))


@pytest.mark.parametrize("fn", ALL)
def test_duplicate_unit_time_rows(fn):
    df = panel()
    with pytest.raises(PanelDataError, match=r"duplicated \(id, yr\)"):
        call(fn, pd.concat([df, df.iloc[[3]]], ignore_index=True))


@pytest.mark.parametrize("fn", ALL)
def test_nan_in_used_column(fn):
    df = panel()
    df.loc[5, "y"] = np.nan
    with pytest.raises(PanelDataError, match=r"column 'y' has 1 missing value"):
        call(fn, df)


@pytest.mark.parametrize("fn", ["twfe", "bootstrap"])
def test_nan_in_control(fn):
    df = panel()
    df.loc[7, "x"] = np.nan
    with pytest.raises(PanelDataError, match=r"column 'x' has 1 missing"):
        call(fn, df, controls=["x"])


@pytest.mark.parametrize("fn", WITH_D)
def test_non_binary_treatment(fn):
    df = panel()
    df.loc[df["d"] == 1, "d"] = 2
    with pytest.raises(PanelDataError, match="must be binary 0/1"):
        call(fn, df)


def test_share_treatment_explicit_and_range_checked():
    df = panel().astype({"d": float})
    df.loc[df["d"] == 1, "d"] = 0.5
    with pytest.raises(PanelDataError, match="binary"):
        call("twfe", df)
    assert np.isfinite(call("twfe", df, treatment_type="share").estimate)
    df.loc[0, "d"] = 1.5
    with pytest.raises(PanelDataError, match=r"must lie in \[0, 1\]"):
        call("twfe", df, treatment_type="share")


def test_treatment_switching_off_where_absorbing_is_assumed():
    df = panel()
    df.loc[(df["id"] == 0) & (df["yr"] == 2015), "d"] = 0
    with pytest.raises(PanelDataError, match="switches off"):
        call("placebo", df)
    call("twfe", df)  # generalized TWFE allows it


def test_cohort_varying_within_unit():
    df = panel()
    df.loc[(df["id"] == 0) & (df["yr"] == 2015), "cohort"] = 2013
    with pytest.raises(PanelDataError, match="varies within unit"):
        call("event_study", df)


@pytest.mark.parametrize("fn", ["twfe", "placebo", "bootstrap"])
def test_singular_covariates(fn):
    df = panel().assign(x2=lambda d: 2 * d["x"])
    with pytest.raises(PanelDataError, match="singular covariates"):
        call(fn, df, controls=["x", "x2"])


def test_time_invariant_control_is_singular():
    df = panel().assign(z=lambda d: d["id"] * 1.0)
    with pytest.raises(PanelDataError, match=r"singular covariates: \['z'\]"):
        call("twfe", df, controls=["z"])
    assert "z" in call("twfe", df, controls=["x", "z"], drop_collinear=True).info["dropped (collinear)"]


@pytest.mark.parametrize("fn", ALL)
def test_no_untreated_comparison_units(fn):
    df = panel()
    df["cohort"] = 2013
    df["d"] = (df["yr"] >= 2013).astype(int)
    with pytest.raises(PanelDataError, match="no untreated comparison"):
        call(fn, df)


def test_never_treated_and_constant_treatment():
    df = panel().assign(d=0, cohort=0)
    for fn in ALL:
        with pytest.raises(PanelDataError, match="constant|never 1|no treated"):
            call(fn, df)


def test_empty_event_time_and_bad_weights():
    with pytest.raises(PanelDataError, match="no observations"):
        didbook.event_study(panel(), "y", "id", "yr", "cohort", leads=8, lags=1, warn_few_clusters=False)
    df = panel().assign(w=1.0)
    df.loc[0, "w"] = 0.0
    with pytest.raises(PanelDataError, match="strictly positive"):
        call("twfe", df, weights="w")


def test_too_few_clusters_is_a_visible_note_not_a_warning():
    df = panel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a documented call must not print to stderr (it fails the book build)
        fit = didbook.twfe(df, "y", "d", "id", "yr", cluster="prov")
        es = didbook.event_study(df, "y", "id", "yr", "cohort", leads=2, lags=2)
        robust = didbook.twfe(df, "y", "d", "id", "yr", vcov="robust")  # no clusters, no note
    for res, g in ((fit, 6), (es, 12)):
        assert len(res.notes) == 1 and f"only {g} clusters" in res.notes[0]
        assert "wild_cluster_bootstrap" in res.notes[0]
        assert f"Note: only {g} clusters" in res.summary()
        assert f"only {g} clusters" in res._repr_html_()
    assert robust.notes == []
    # the Python warning is opt-in
    with pytest.warns(didbook.FewClustersWarning, match=r"only 6 clusters.*wild_cluster_bootstrap"):
        didbook.twfe(df, "y", "d", "id", "yr", cluster="prov", warn_few_clusters=True)
    assert didbook.FEW_CLUSTERS == 42


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="DataFrame"):
        didbook.twfe(panel().to_dict(), "y", "d", "id", "yr")
