"""Tests for didbook.psm_did: hand-checked matching, balance improvement, DID on the matched sample."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import didbook
from didbook import PanelDataError, psm_did
from didbook.psm import nearest_neighbor_match, smd

COVS = ["log_gdp_pc", "digitalization", "tertiary_share", "population"]


@pytest.fixture(scope="module")
def panel():
    return didbook.simulate_city_panel(seed=2024)


@pytest.fixture(scope="module")
def res(panel):
    return psm_did(panel.data, "equalization", "dg_treated", "city_id", "year", COVS, caliper=0.05)


def test_nearest_neighbour_known_matches():
    t = pd.Series({"a": 0.80, "b": 0.50, "c": 0.30})
    c = pd.Series({"w": 0.90, "x": 0.79, "y": 0.45, "z": 0.31})
    # greedy, largest score first: a -> x (0.01), b -> y (0.05), c -> z (0.01)
    m = nearest_neighbor_match(t, c, caliper=0.1)
    assert m[["treated_unit", "control_unit"]].values.tolist() == [["a", "x"], ["b", "y"], ["c", "z"]]
    np.testing.assert_allclose(m["distance"], [0.01, 0.05, 0.01], atol=1e-12)
    # tighter caliper: b has nobody within 0.03
    m = nearest_neighbor_match(t, c, caliper=0.03)
    assert m[["treated_unit", "control_unit"]].values.tolist() == [["a", "x"], ["c", "z"]]
    # without replacement a control is used once: both treated want x, the second gets w
    t2 = pd.Series({"p": 0.80, "q": 0.79})
    m = nearest_neighbor_match(t2, c, caliper=0.2)
    assert m["control_unit"].tolist() == ["x", "w"]
    # with replacement both get x; ratio 2 gives the two nearest
    m = nearest_neighbor_match(t2, c, caliper=0.2, replace=True)
    assert m["control_unit"].tolist() == ["x", "x"]
    m = nearest_neighbor_match(t2.iloc[:1], c, caliper=0.2, ratio=2)
    assert m["control_unit"].tolist() == ["x", "w"]


def test_smd_by_hand():
    xt, xc = np.array([1.0, 2.0, 3.0, 6.0]), np.array([0.0, 1.0, 2.0, 1.0])
    sd = np.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
    assert smd(xt, xc) == pytest.approx((3.0 - 1.0) / sd)
    assert smd(xt, xc, w_c=[0, 0, 1, 0], sd=2.0) == pytest.approx(0.5)


def _tiny_panel() -> pd.DataFrame:
    """3 treated (adopt at t=3) and 5 controls, one covariate x; 4 periods."""
    x = {1: 2.0, 2: 1.0, 3: 0.2, 11: 1.9, 12: 1.1, 13: 0.0, 14: -1.0, 15: 0.5}
    rows = []
    rng = np.random.default_rng(3)
    for u, xv in x.items():
        tr = u < 10
        for t in range(1, 5):
            d = int(tr and t >= 3)
            rows.append(
                {"id": u, "t": t, "x": xv + 0.01 * t, "d": d, "y": xv + 0.2 * t + 1.5 * d + rng.normal(0, 0.01)}
            )
    return pd.DataFrame(rows)


def test_tiny_example_matches_independent_brute_force():
    df = _tiny_panel()
    r = psm_did(df, "y", "d", "id", "t", ["x"], caliper=0.5)
    # the logit score is increasing in x, pre-period mean x = x + 0.015
    ps = r.pscore
    assert ps.loc[1] > ps.loc[2] > ps.loc[3]
    # brute force greedy matching, treated in decreasing score order
    avail = {u: ps[u] for u in (11, 12, 13, 14, 15)}
    expected = []
    for u in sorted((1, 2, 3), key=lambda v: -ps[v]):
        cu = min(avail, key=lambda v: abs(avail[v] - ps[u]))
        if abs(avail[cu] - ps[u]) <= 0.5:
            expected.append((u, cu))
            del avail[cu]
    assert list(map(tuple, r.pairs[["treated_unit", "control_unit"]].values.tolist())) == expected
    # DID on the matched units equals TWFE on that subset; the effect is 1.5 by construction
    keep = r.matched_units["unit"]
    tw = didbook.twfe(df[df["id"].isin(keep)], "y", "d", "id", "t", warn_few_clusters=False)
    assert r.model.estimate == pytest.approx(tw.estimate, abs=1e-12)
    assert r.tidy()["estimate"].iloc[0] == pytest.approx(1.5, abs=0.05)


def test_matching_improves_balance_on_simulated_panel(res):
    b = res.balance.set_index("covariate")
    assert (b["smd_before"].abs() > 0.5).all()  # cities are selected on these traits
    assert (b["smd_after"].abs() < b["smd_before"].abs()).all()
    assert b["smd_after"].abs().max() < 0.2
    assert res.info["n_unmatched_treated"] == len(res.unmatched)
    assert len(res.pairs) == res.info["n_matched_treated"]
    assert res.pairs["distance"].max() <= 0.05
    assert res.pairs["control_unit"].is_unique  # without replacement


def test_did_on_matched_sample(res, panel):
    d = panel.data
    kept = d[d["city_id"].isin(res.matched_units["unit"])]
    tw = didbook.twfe(kept, "equalization", "dg_treated", "city_id", "year", warn_few_clusters=False)
    assert res.model.estimate == pytest.approx(tw.estimate, abs=1e-12)
    assert list(res.tidy().columns) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert "PSM-DID" in res.summary()


def test_replacement_and_ratio_weights(panel):
    r = psm_did(
        panel.data,
        "equalization",
        "dg_treated",
        "city_id",
        "year",
        COVS,
        caliper=0.2,
        caliper_scale="sd",
        ratio=2,
        replace=True,
    )
    mu = r.matched_units
    assert mu.loc[mu["treated"] == 1, "weight"].eq(1).all()
    # control weights add up to the number of matched treated units
    assert mu.loc[mu["treated"] == 0, "weight"].sum() == pytest.approx((mu["treated"] == 1).sum())
    assert r.pairs.groupby("treated_unit").size().max() <= 2


def test_plots(res):
    import matplotlib.pyplot as plt

    assert isinstance(res.plot(), matplotlib.axes.Axes)
    assert isinstance(res.plot("overlap"), matplotlib.axes.Axes)
    plt.close("all")
    with pytest.raises(ValueError, match="kind"):
        res.plot("qq")


@pytest.mark.parametrize(
    "mutate,covs,kw,match",
    [
        (lambda d: d.drop(columns="x"), ["x"], {}, "missing column"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), ["x"], {}, "duplicated"),
        (lambda d: d.assign(x=d["x"].where(d.index != 5)), ["x"], {}, "missing value"),
        (lambda d: d.assign(d=d["d"] * 2), ["x"], {}, "binary"),
        (lambda d: d.assign(d=np.where((d.id == 1) & (d.t == 4), 0, d["d"])), ["x"], {}, "switches off"),
        (lambda d: d.assign(x2=d["x"] * 3), ["x", "x2"], {}, "collinear"),
        (lambda d: d.assign(d=np.where(d.t >= 3, 1, 0)), ["x"], {}, "no untreated comparison"),
        (lambda d: d.assign(d=0), ["x"], {}, "no treated units"),
        (lambda d: d.assign(d=np.where(d.id < 10, 1, 0)), ["x"], {}, "no pre-treatment period"),
        (lambda d: d, ["x"], {"caliper": 1e-9}, "caliper"),
        (lambda d: d.assign(sep=np.where(d.id < 10, 1.0, 0.0) + 0.001 * d.t), ["sep"], {}, "separation"),
    ],
)
def test_bad_input(mutate, covs, kw, match):
    with pytest.raises(PanelDataError, match=match):
        psm_did(mutate(_tiny_panel()), "y", "d", "id", "t", covs, **{"caliper": 0.5, **kw})
