"""didbook.stacked against an independent stacked regression built here (pyfixest, WFH 2024 weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook
from didbook import PanelDataError


def hand_stacked(df, pre, post, controls=(), cluster="id", population=None):
    """Sub-experiment per cohort a: its units and clean controls (never treated or cohort > a + post) over
    [a - pre, a + post] (cohorts whose window leaves the panel are trimmed); control weights
    (N_a^D / N^D) / (N_a^C / N^C) (Wing, Freedman and Hollingsworth 2024, 'aggregate'; with ``population``,
    the treated units' population share Pop_a^D / Pop^D replaces N_a^D / N^D); event-study WLS
    with sub-experiment x unit and sub-experiment x period fixed effects and the controls, CR1 by ``cluster``."""
    t0, t1 = df["t"].min(), df["t"].max()
    subs = []
    for a in sorted(df.loc[df["g"] > 0, "g"].unique()):
        if a - pre < t0 or a + post > t1:
            continue
        w = df[(df["t"] >= a - pre) & (df["t"] <= a + post)]
        s = w[(w["g"] == a) | (w["g"] == 0) | (w["g"] > a + post)].copy()
        s["sub"], s["treat"], s["event"] = a, (s["g"] == a).astype(int), s["t"] - a
        subs.append(s)
    st = pd.concat(subs)
    nd = st[st["treat"] == 1].groupby("sub")["id"].nunique()
    nc = st[st["treat"] == 0].groupby("sub")["id"].nunique()
    if population is not None:  # one population per treated unit and sub-experiment
        nd = st[st["treat"] == 1].drop_duplicates(["id", "sub"]).groupby("sub")[population].sum()
    st["Q"] = np.where(st["treat"] == 1, 1.0, (st["sub"].map(nd) / nd.sum()) / (st["sub"].map(nc) / nc.sum()))
    st["unit_sub"] = st["id"].astype(str) + "_" + st["sub"].astype(str)
    st["time_sub"] = st["t"].astype(str) + "_" + st["sub"].astype(str)
    rhs = " + ".join(["i(event, treat, ref=-1)", *controls])
    return pf.feols(f"y ~ {rhs} | unit_sub + time_sub", data=st, weights="Q", vcov={"CRV1": cluster})


def check_against_hand(fit, ref, post):
    """Event-time estimates and SEs equal the hand regression's; the headline is the mean of e = 0..post with
    its SE from the hand regression's covariance."""
    es = fit.event_study.loc[fit.event_study["event_time"] != -1]
    names = [n for n in ref.coef().index if "event" in n]
    assert es["estimate"].to_numpy() == pytest.approx(ref.coef()[names].to_numpy(), abs=1e-8)
    assert es["std_error"].to_numpy() == pytest.approx(ref.se()[names].to_numpy(), rel=1e-6)
    post_rows = (es["event_time"] >= 0).to_numpy()
    a = np.zeros(len(ref.coef()))
    a[[i for i, n in enumerate(ref.coef().index) if n in np.array(names)[post_rows]]] = 1 / (post + 1)
    assert fit.estimate == pytest.approx(float(a @ ref.coef().to_numpy()), abs=1e-10)
    assert fit.std_error == pytest.approx(float(np.sqrt(a @ ref._vcov @ a)), rel=1e-6)
    assert fit.info["n_clusters"] == int(np.min(ref._G))


@pytest.mark.parametrize("pre, post", [(2, 2), (1, 3)])
def test_matches_a_hand_built_stacked_regression(pre, post):
    df = staggered_panel(seed=5)
    fit = didbook.stacked(df, "y", "id", "t", "g", pre=pre, post=post)
    check_against_hand(fit, hand_stacked(df, pre, post), post)
    check_vocabulary(fit)


def test_equals_diff_diff_without_controls():
    """On a balanced panel without controls the sub-experiment x period effects change no estimate: the corrective
    weights give every sub-experiment the same weighted treated share (diff-diff's regression has none)."""
    df = staggered_panel(seed=5)
    fit = didbook.stacked(df, "y", "id", "t", "g", pre=2, post=2)
    eng = fit.model.event_study_effects
    for _, row in fit.event_study.iterrows():
        assert row["estimate"] == pytest.approx(eng[int(row["event_time"])]["effect"], abs=1e-10)
    assert fit.estimate == pytest.approx(fit.model.overall_att, abs=1e-10)


def test_controls_and_province_clusters_match_the_hand_regression():
    df = staggered_panel(seed=5)
    fit = didbook.stacked(df, "y", "id", "t", "g", ["x"], pre=2, post=2, cluster="prov")
    ref = hand_stacked(df, 2, 2, controls=["x"], cluster="prov")
    check_against_hand(fit, ref, 2)
    assert fit.info["controls"] == ["x"] and fit.info["cluster"] == "prov" and fit.info["n_clusters"] == 20
    assert any("'prov'" in n and "G = 20" in n for n in fit.notes)
    check_vocabulary(fit)
    # the covariate matters here (y loads 0.4 on x), so the control changes the estimate
    assert fit.estimate != pytest.approx(didbook.stacked(df, "y", "id", "t", "g", pre=2, post=2).estimate, abs=1e-3)


def test_controls_with_odd_names_and_collinear_controls():
    df = staggered_panel(seed=5)
    a = didbook.stacked(df, "y", "id", "t", "g", ["x"], pre=2, post=2, cluster="prov")
    odd = df.rename(columns={"x": "_x0", "prov": "省 (id)"})
    b = didbook.stacked(odd, "y", "id", "t", "g", ["_x0"], pre=2, post=2, cluster="省 (id)")
    assert b.estimate == pytest.approx(a.estimate, abs=1e-12)
    assert b.std_error == pytest.approx(a.std_error, rel=1e-12)
    with pytest.raises(PanelDataError, match="'size'.*collinear"):
        didbook.stacked(df.assign(size=df["id"] % 7), "y", "id", "t", "g", ["size"], pre=2, post=2)
    with pytest.raises(PanelDataError, match="'id'"):  # a cluster must contain whole units
        didbook.stacked(df.assign(half=df["t"] > 4), "y", "id", "t", "g", pre=2, post=2, cluster="half")


def test_trimming_is_reported_on_mpdta():
    d = didbook.load_dataset("mpdta").data
    fit = didbook.stacked(d, "lemp", "countyreal", "year", "first.treat", pre=1, post=2)
    assert fit.info["trimmed_cohorts"] == [2006, 2007]
    assert any("trimmed" in n for n in fit.notes)


def test_odd_names_and_errors():
    df = staggered_panel(seed=6)
    odd = df.rename(columns={"id": "城市", "t": "year 1", "g": "first.treat", "y": "gap (log)"})
    a = didbook.stacked(df, "y", "id", "t", "g", pre=2, post=1)
    b = didbook.stacked(odd, "gap (log)", "城市", "year 1", "first.treat", pre=2, post=1)
    assert b.estimate == pytest.approx(a.estimate, abs=1e-12)
    with pytest.raises(PanelDataError, match="'first.treat'"):
        didbook.stacked(odd.assign(**{"first.treat": odd["first.treat"].astype(str)}), "gap (log)", "城市", "year 1",
                        "first.treat")  # fmt: skip
    with pytest.raises(ValueError, match="weighting"):
        didbook.stacked(df, "y", "id", "t", "g", weighting="equal")


def test_population_weighting_matches_the_hand_regression():
    df = staggered_panel(seed=7)
    df["pop"] = np.random.default_rng(3).uniform(1, 50, df["id"].max() + 1)[df["id"]]
    fit = didbook.stacked(df, "y", "id", "t", "g", pre=2, post=2, weighting="population", population="pop")
    check_against_hand(fit, hand_stacked(df, 2, 2, population="pop"), 2)
    assert fit.info["weighting"] == "population" and fit.info["population"] == "pop"
    aggregate = didbook.stacked(df, "y", "id", "t", "g", pre=2, post=2)
    assert abs(fit.estimate - aggregate.estimate) > 1e-6  # the populations moved the weights
    df["pop"] = 7.0  # equal populations: the population shares are the treated-unit shares ('aggregate')
    same = didbook.stacked(df, "y", "id", "t", "g", pre=2, post=2, weighting="population", population="pop")
    assert same.estimate == pytest.approx(aggregate.estimate, abs=1e-10)


def test_population_errors_name_the_parameter_and_the_column():
    df = staggered_panel(seed=7)
    with pytest.raises(ValueError, match="weighting='population' needs population="):
        didbook.stacked(df, "y", "id", "t", "g", weighting="population")
    with pytest.raises(ValueError, match="population='x' is used only with weighting='population'"):
        didbook.stacked(df, "y", "id", "t", "g", population="x")
    with pytest.raises(KeyError, match="population column 'inhabitants' not in the data"):
        didbook.stacked(df, "y", "id", "t", "g", weighting="population", population="inhabitants")
    with pytest.raises(PanelDataError, match=r"population column 't' must be constant within id \(id 0 has"):
        didbook.stacked(df, "y", "id", "t", "g", weighting="population", population="t")
    df["pop"] = np.where(df["id"] == 5, 0.0, 10.0)
    with pytest.raises(PanelDataError, match=r"must be a positive number in every row \(id 5 has 0.0\)"):
        didbook.stacked(df, "y", "id", "t", "g", weighting="population", population="pop")
