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
    assert "z" in call("twfe", df, controls=["x", "z"], drop_collinear=True).dropped_collinear


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


# ----------------------------------------------------------------------------- issue 11: refuse what cannot be handled

STAG = ["staggered_cs", "staggered_bjs"]


def call11(fn, df, **kw):
    if fn == "staggered_cs":
        return didbook.staggered(df, "y", "id", "yr", "cohort", **kw)
    if fn == "staggered_bjs":
        return didbook.staggered(df, "y", "id", "yr", "cohort", method="bjs", **kw)
    if fn == "bacon":
        return didbook.bacon_decomposition(df, "y", "d", "id", "yr")
    if fn == "psm":
        return didbook.psm_did(df, "y", "d", "id", "yr", ["x"], caliper=1.0)
    return call(fn, df, **kw)


EVERY = [*ALL, *STAG, "bacon", "psm"]


@pytest.mark.parametrize("fn", EVERY)
@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_values_are_refused_naming_the_column(fn, value):
    df = panel()
    df.loc[4, "y"] = value  # e.g. the log of zero
    with pytest.raises(PanelDataError, match=r"column 'y' has 1 infinite value\(s\).*log"):
        call11(fn, df)


@pytest.mark.parametrize("fn", ["twfe", "bootstrap"])
def test_infinite_control_is_refused(fn):
    df = panel()
    df.loc[2, "x"] = np.inf
    with pytest.raises(PanelDataError, match="column 'x' has 1 infinite"):
        call11(fn, df, controls=["x"])


@pytest.mark.parametrize("fn", ["placebo", "event_study", *STAG, "bacon", "psm"])
def test_time_stored_as_text_is_refused_with_the_fix(fn):
    df = panel()
    df["yr"] = (df["yr"] - 2008).astype(str)  # "2" ... "7" would sort fine, "10" would not
    df.loc[df["yr"] == "7", "yr"] = "10"
    with pytest.raises(PanelDataError, match=r"time column 'yr' is not numeric.*pd\.to_numeric"):
        call11(fn, df)


@pytest.mark.parametrize("fn", ["placebo", "event_study", "staggered_cs", "bacon", "psm"])
def test_treatment_switching_off_is_an_error_where_absorbing_is_assumed(fn):
    df = panel()
    df.loc[(df["id"] == 0) & (df["yr"] == 2015), "d"] = 0
    kw = {"treatment": "d"} if fn == "staggered_cs" else {}
    if fn == "event_study":  # the cohort carries the timing: a unit whose cohort varies is the analogue
        df.loc[(df["id"] == 0) & (df["yr"] == 2015), "cohort"] = 0
        with pytest.raises(PanelDataError, match="varies within unit"):
            call11(fn, df)
        return
    with pytest.raises(PanelDataError, match=r"switches off for 1 unit\(s\) \(e\.g\. id=0\).*absorbing"):
        call11(fn, df, **kw)


def test_twfe_notes_a_treatment_that_switches_off():
    df = panel()
    df.loc[(df["id"] == 0) & (df["yr"] == 2015), "d"] = 0
    fit = call("twfe", df)
    assert any("switches off (1 then 0) for 1 unit(s)" in n for n in fit.notes)
    assert not any("switches off" in n for n in call("twfe", panel()).notes)


@pytest.mark.parametrize("fn", ["event_study", *STAG])
def test_never_treated_coded_9999_says_code_it_0_or_empty(fn):
    df = panel()
    df.loc[df["cohort"] == 0, "cohort"] = 9999
    with pytest.raises(
        PanelDataError, match=r"after the last period 2015 \(value\(s\) \[9999\]\).*0 or leave it empty"
    ):
        call11(fn, df)


@pytest.mark.parametrize("fn", ["event_study", *STAG])
def test_cohort_before_the_panel_starts_is_refused(fn):
    df = panel()
    df.loc[df["id"] == 0, "cohort"] = 2005
    df["d"] = ((df["cohort"] > 0) & (df["yr"] >= df["cohort"])).astype(int)
    with pytest.raises(PanelDataError, match=r"<= 2010, the first period.*no untreated period"):
        call11(fn, df)


@pytest.mark.parametrize(
    "fn,kw,name",
    [
        ("placebo", {"n_draws": "abc"}, "n_draws"),
        ("placebo", {"seed": "x"}, "seed"),
        ("bootstrap", {"n_draws": "abc"}, "n_draws"),
        ("staggered_cs", {"n_draws": "abc"}, "n_draws"),
        ("staggered_cs", {"anticipation": 0.5}, "anticipation"),
        ("event_study", {"leads": "2"}, "leads"),
    ],
)
def test_parameter_types_raise_type_error_naming_the_parameter(fn, kw, name):
    df = panel()
    with pytest.raises(TypeError, match=rf"^{name} must be a whole number"):
        if fn == "placebo":
            didbook.placebo_test(df, "y", "d", "id", "yr", progress=False, **{"n_draws": 20, **kw})
        elif fn == "event_study":
            didbook.event_study(df, "y", "id", "yr", "cohort", lags=2, **kw)
        elif fn == "bootstrap":
            didbook.wild_cluster_bootstrap(df, "y", "d", "id", "yr", "prov", conf_int=False, **kw)
        else:
            call11(fn, df, **kw)


def test_psm_ratio_type():
    with pytest.raises(TypeError, match="ratio must be a whole number"):
        didbook.psm_did(panel(), "y", "d", "id", "yr", ["x"], ratio="2")


def test_unbalanced_panel_works_in_callaway_santanna():
    df = make_panel(units=60, periods=8, drop=0.05, seed=1, effect=-0.5)
    fit = didbook.staggered(df, "y", "id", "yr", "cohort")
    assert np.isfinite(fit.estimate) and np.isfinite(fit.std_error)
    assert "not observed in every period" in fit.info["unbalanced_panel"]
    assert np.isfinite(fit.aggregate("dynamic").estimate)


def test_unbalanced_bacon_says_how_many_units_balancing_drops():
    df = panel().drop(index=[3, 20])
    with pytest.raises(PanelDataError, match=r"2 of 12 unit\(s\).*Balancing would drop those 2 units \(17%\)"):
        call11("bacon", df)


def test_messages_show_plain_numbers():
    df = panel()
    df["cohort"] = df["cohort"].astype("int64")
    df.loc[df["cohort"] == 0, "cohort"] = 9999
    with pytest.raises(PanelDataError) as err:
        call11("staggered_cs", df)
    assert "np." not in str(err.value) and "int64" not in str(err.value)


def test_cs_engine_message_is_translated(monkeypatch):
    import moderndid

    fit = didbook.staggered(make_panel(), "y", "id", "yr", "cohort")

    def fail(*a, **k):
        raise ValueError("Missing values at att_gt found. If you want to remove these, set `dropna = True'.")

    monkeypatch.setattr(moderndid, "aggte", fail)
    with pytest.raises(PanelDataError) as err:
        fit.aggregate("calendar")
    assert "dropna" not in str(err.value) and "could not be estimated" in str(err.value)


def test_prepare_panel_names_the_role_and_counts_what_it_drops():
    df = panel().rename(columns={"cohort": "adopt"})
    with pytest.raises(PanelDataError, match=r"cohort='cohort' is not a column"):
        didbook.prepare_panel(df, "id", "yr", "y", cohort="cohort")
    df["adopt"] = df["adopt"].astype(float).replace(0, np.nan)  # never treated left empty
    df.loc[1, "y"] = np.nan
    out, report = didbook.prepare_panel(df, "id", "yr", "y", cohort="adopt", controls=["x"])
    assert report["rows_missing"] == 1 and len(out) == len(df) - 1
    assert (out["didbook_treated"] == out["d"]).all()
    out2, _ = didbook.prepare_panel(df.drop(columns="adopt"), "id", "yr", "y", treatment="d")
    assert (out2["didbook_cohort"].to_numpy() == out["didbook_cohort"].reindex(out2.index).to_numpy()).sum() > 0


@pytest.mark.parametrize("fn", ALL)
def test_degenerate_panels_are_named(fn):
    df = panel()
    with pytest.raises(PanelDataError, match="single period \\(yr=2012\\)"):
        call(fn, df[df["yr"] == 2012])
    with pytest.raises(PanelDataError, match="single unit"):
        call(fn, df[df["id"] == df["id"].iloc[0]])


def rename_odd(df):
    return df.rename(columns={"y": "gap.", "d": "1 treated", "id": "county name", "yr": "年份", "prov": "省 id"})


def test_odd_column_names_in_placebo_bootstrap_psm():
    """Formula-unsafe user names (spaces, dots, CJK, leading digits) in the other agent's estimators."""
    df = panel()
    odd = rename_odd(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = didbook.wild_cluster_bootstrap(df, "y", "d", "id", "yr", "prov", n_draws=99, conf_int=False, seed=1)
        b = didbook.wild_cluster_bootstrap(odd, "gap.", "1 treated", "county name", "年份", "省 id", n_draws=99,
                                           conf_int=False, seed=1)  # fmt: skip
        assert b.estimate == pytest.approx(a.estimate, abs=1e-10)
        p = didbook.placebo_test(df, "y", "d", "id", "yr", n_draws=20, progress=False, seed=1)
        q = didbook.placebo_test(odd, "gap.", "1 treated", "county name", "年份", n_draws=20, progress=False, seed=1)
        assert q.estimate == pytest.approx(p.estimate, abs=1e-10)


def test_prepare_panel_late_cohorts_refused_in_the_users_names_or_not_yet_treated():
    """A cohort after the last period: refused by default with a message naming the user's column (not the
    helper column), or -- late_cohorts="not_yet", R did's rule -- those units are not yet treated in the window,
    counted in the report."""
    df = make_panel(units=12, periods=6, start=2001, unit_cohorts=[2003] * 4 + [2009] * 4 + [0] * 4)
    df = df.rename(columns={"cohort": "adopt year"})
    with pytest.raises(PanelDataError, match="have adopt year after the last period") as err:
        didbook.prepare_panel(df, "id", "yr", "y", cohort="adopt year")
    assert "didbook_cohort" not in str(err.value)
    out, report = didbook.prepare_panel(df, "id", "yr", "y", cohort="adopt year", late_cohorts="not_yet")
    assert report["late_units"] == 4 and report["late_values"] == [2009]
    assert set(out.loc[out["adopt year"] == 2009, "didbook_cohort"]) == {0.0}
    with pytest.raises(ValueError, match="late_cohorts"):
        didbook.prepare_panel(df, "id", "yr", "y", cohort="adopt year", late_cohorts="drop")
