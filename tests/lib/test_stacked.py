"""didbook.stacked against an independent stacked regression built here (pyfixest, WFH 2024 weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from wrapped_checks import check_vocabulary, staggered_panel

import didbook
from didbook import PanelDataError


def hand_stacked(df, pre, post):
    """Sub-experiment per cohort a: its units and clean controls (never treated or cohort > a + post) over
    [a - pre, a + post] (cohorts whose window leaves the panel are trimmed); control weights
    (N_a^D / N^D) / (N_a^C / N^C) (Wing, Freedman and Hollingsworth 2024, 'aggregate'); event-study WLS
    with unit x sub-experiment and event-time fixed effects, clustered by unit."""
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
    st["Q"] = np.where(st["treat"] == 1, 1.0, (st["sub"].map(nd) / nd.sum()) / (st["sub"].map(nc) / nc.sum()))
    st["unit_sub"] = st["id"].astype(str) + "_" + st["sub"].astype(str)
    return pf.feols("y ~ i(event, treat, ref=-1) | unit_sub + event", data=st, weights="Q", vcov={"CRV1": "id"})


@pytest.mark.parametrize("pre, post", [(2, 2), (1, 3)])
def test_matches_a_hand_built_stacked_regression(pre, post):
    df = staggered_panel(seed=5)
    fit = didbook.stacked(df, "y", "id", "t", "g", pre=pre, post=post)
    ref = hand_stacked(df, pre, post)
    es = fit.event_study.loc[fit.event_study["event_time"] != -1]
    assert es["estimate"].to_numpy() == pytest.approx(ref.coef().to_numpy(), abs=1e-8)
    assert es["std_error"].to_numpy() == pytest.approx(ref.se().to_numpy(), rel=0.02)
    post_rows = es["event_time"] >= 0
    assert fit.estimate == pytest.approx(es.loc[post_rows, "estimate"].mean(), abs=1e-10)
    check_vocabulary(fit)


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
