"""Inequality measures: hand-computed examples, identities and input validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import didbook
from didbook.inequality import dagum_by


def _mad_gini(y, w=None):
    """Gini from the textbook double sum, O(n^2): sum w_i w_j |y_i - y_j| / (2 W^2 mu)."""
    y = np.asarray(y, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    W = w.sum()
    mu = (w * y).sum() / W
    return (np.outer(w, w) * np.abs(y[:, None] - y[None, :])).sum() / (2 * W**2 * mu)


# ----------------------------------------------------------------------------- Gini
def test_gini_hand_example():
    # values 1, 2, 3: |diffs| over ordered pairs 2*(1 + 2 + 1) = 8; 2 n^2 mu = 2*9*2 = 36
    assert didbook.gini([1, 2, 3]) == pytest.approx(8 / 36, abs=1e-15)
    assert didbook.gini([5, 5, 5]) == 0.0
    # one unit holds everything: 1 - 1/n
    assert didbook.gini([0, 0, 0, 10]) == pytest.approx(0.75)


def test_gini_matches_mean_absolute_difference_formula():
    rng = np.random.default_rng(1)
    y = rng.lognormal(size=300)
    assert didbook.gini(y) == pytest.approx(_mad_gini(y), abs=1e-12)
    # order does not matter, scale does not matter
    assert didbook.gini(y[::-1] * 7.5) == pytest.approx(didbook.gini(y), abs=1e-12)


def test_weighted_gini_equals_replicated_data():
    # weights (2, 1) on (1, 3) == data (1, 1, 3): ordered |diffs| 2*(2 + 2) = 8; 2*9*(5/3) = 30
    assert didbook.gini([1, 3], weights=[2, 1]) == pytest.approx(8 / 30, abs=1e-15)
    rng = np.random.default_rng(2)
    y = rng.gamma(2.0, size=40)
    w = rng.integers(1, 5, size=40)
    assert didbook.gini(y, weights=w) == pytest.approx(didbook.gini(np.repeat(y, w)), abs=1e-12)
    assert didbook.gini(y, weights=w) == pytest.approx(_mad_gini(y, w), abs=1e-12)


@pytest.mark.parametrize(
    "values, match",
    [([1.0, np.nan, 2.0], "1 missing"), ([1.0, -2.0], "negative"), ([0.0, 0.0], "positive mean"), ([], "empty")],
)
def test_gini_rejects_bad_input(values, match):
    with pytest.raises(ValueError, match=match):
        didbook.gini(values)


def test_gini_weights_length_checked():
    with pytest.raises(ValueError, match="length"):
        didbook.gini([1, 2, 3], weights=[1, 1])


# ----------------------------------------------------------------------------- CV
def test_coefficient_of_variation_hand_and_numpy():
    # 1, 2, 3: population sd sqrt(2/3), mean 2
    assert didbook.coefficient_of_variation([1, 2, 3]) == pytest.approx(np.sqrt(2 / 3) / 2)
    y = np.array([2.0, 4.0, 9.0, 1.0])
    assert didbook.coefficient_of_variation(y, ddof=1) == pytest.approx(np.std(y, ddof=1) / y.mean())
    assert didbook.coefficient_of_variation([1, 3], weights=[2, 1]) == pytest.approx(
        didbook.coefficient_of_variation([1, 1, 3])
    )


# ----------------------------------------------------------------------------- Theil
def test_theil_T_hand_example_and_decomposition():
    # y = 1, 1 | 2, 4 ; mu = 2.  T = (2 * 0.5 ln 0.5 + 1 ln 1 + 2 ln 2) / 4 = ln2 / 4
    r = didbook.theil([1, 1, 2, 4], groups=["a", "a", "b", "b"])
    assert r.total == pytest.approx(np.log(2) / 4, abs=1e-15)
    # income shares s_a = 2/8, s_b = 6/8; group means 1 and 3
    between = 0.25 * np.log(1 / 2) + 0.75 * np.log(3 / 2)
    T_b = 0.5 * ((2 / 3) * np.log(2 / 3) + (4 / 3) * np.log(4 / 3))
    assert r.between == pytest.approx(between, abs=1e-15)
    assert r.within == pytest.approx(0.75 * T_b, abs=1e-15)
    assert r.by_group.loc["a", "theil"] == 0.0
    assert r.within + r.between == pytest.approx(r.total, abs=1e-15)
    assert r.tidy()["term"].tolist() == ["total", "within", "between"]


def test_theil_L_hand_example():
    # y = 1, 2, 3: L = (ln 2 + ln 1 + ln(2/3)) / 3
    r = didbook.theil([1, 2, 3], kind="L")
    assert r.total == pytest.approx(np.log(4 / 3) / 3, abs=1e-15)
    # groups {1} and {2, 3}: within = p_2 L_2 = (2/3) * (ln(2.5/2) + ln(2.5/3)) / 2
    r = didbook.theil([1, 2, 3], groups=[0, 1, 1], kind="L")
    assert r.within == pytest.approx((2 / 3) * 0.5 * (np.log(1.25) + np.log(2.5 / 3)), abs=1e-15)
    assert r.between == pytest.approx((1 / 3) * np.log(2) + (2 / 3) * np.log(2 / 2.5), abs=1e-15)


@pytest.mark.parametrize("kind", ["T", "L"])
def test_theil_decomposition_exact_on_random_weighted_data(kind):
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=500)
    w = rng.uniform(0.5, 3, size=500)
    g = rng.choice(["east", "central", "west"], size=500)
    r = didbook.theil(y, groups=g, weights=w, kind=kind)
    assert r.within + r.between == pytest.approx(r.total, abs=1e-12)
    assert r.by_group["contribution"].sum() == pytest.approx(r.total, abs=1e-12)
    # integer weights == replicated data
    wi = rng.integers(1, 4, size=500)
    assert didbook.theil(y, weights=wi, kind=kind).total == pytest.approx(
        didbook.theil(np.repeat(y, wi), kind=kind).total, abs=1e-12
    )


def test_theil_validation():
    with pytest.raises(ValueError, match="strictly positive"):
        didbook.theil([0.0, 1.0, 2.0], kind="L")
    assert didbook.theil([0.0, 1.0]).total == pytest.approx(np.log(2))  # 0 ln 0 = 0
    with pytest.raises(ValueError, match="kind"):
        didbook.theil([1.0, 2.0], kind="X")
    with pytest.raises(ValueError, match="missing label"):
        didbook.theil([1.0, 2.0], groups=["a", None])


# ----------------------------------------------------------------------------- Dagum
def test_dagum_hand_example_with_transvariation():
    # group a = {1, 4} (mean 2.5), group b = {2, 6} (mean 4); n = 4, mu = 3.25
    r = didbook.dagum_gini([1, 4, 2, 6], groups=["a", "a", "b", "b"])
    # overall: unordered |diffs| 1,3,5,2,4,2 = 17 -> G = 34 / (2 * 16 * 3.25)
    assert r.total == pytest.approx(34 / 104, abs=1e-15)
    # G_aa = 2*3 / (2*4*2.5) = 0.3 ; G_bb = 2*4 / (2*4*4) = 0.25
    assert r.within_gini["a"] == pytest.approx(0.3)
    assert r.within_gini["b"] == pytest.approx(0.25)
    # p = 1/2 each; s_a = 5/13, s_b = 8/13 ; Gw = 0.3*.5*5/13 + 0.25*.5*8/13
    assert r.within == pytest.approx(0.3 * 0.5 * 5 / 13 + 0.25 * 0.5 * 8 / 13, abs=1e-15)
    # b is richer: b - a pairs: 1, -2, 5, 2 -> d = 8/4 = 2, p = 2/4 = 0.5, D = 1.5/2.5 = 0.6
    assert list(r.affluence.index) == [("b", "a")]
    assert r.pairs.loc[("b", "a"), "d"] == pytest.approx(2.0)
    assert r.pairs.loc[("b", "a"), "p"] == pytest.approx(0.5)
    assert r.affluence[("b", "a")] == pytest.approx(0.6)
    # G_ba = 10 / (2*2*(4+2.5)) ; weight p_b s_a + p_a s_b = 0.5
    G_ba = 10 / 26
    assert r.between_gini[("b", "a")] == pytest.approx(G_ba)
    assert r.between_net == pytest.approx(G_ba * 0.5 * 0.6, abs=1e-15)
    assert r.transvariation == pytest.approx(G_ba * 0.5 * 0.4, abs=1e-15)
    assert r.within + r.between_net + r.transvariation == pytest.approx(r.total, abs=1e-15)
    c = r.contributions
    assert c["component"].tolist() == ["within", "between_net", "transvariation"]
    assert c["share"].sum() == pytest.approx(1.0)


def test_dagum_no_overlap_has_no_transvariation():
    r = didbook.dagum_gini([1, 2, 3, 6], groups=["a", "a", "b", "b"])
    assert r.transvariation == 0.0
    assert r.affluence.iloc[0] == 1.0
    # G = 32 / (2*16*3) = 1/3; Gw = (1/6)(1/2)(1/4) + (1/6)(1/2)(3/4) = 1/12
    assert r.total == pytest.approx(1 / 3)
    assert r.within == pytest.approx(1 / 12)


def test_dagum_parts_sum_to_gini_on_random_data():
    rng = np.random.default_rng(4)
    n = 400
    g = rng.choice(["east", "central", "west", "northeast"], size=n)
    y = rng.lognormal(mean=np.where(g == "east", 1.0, 0.5), sigma=0.6)
    r = didbook.dagum_gini(y, g)
    assert r.total == pytest.approx(didbook.gini(y), abs=1e-12)
    assert r.within + r.between_net + r.transvariation == pytest.approx(r.total, abs=1e-12)
    # groups ordered by decreasing mean; each pair's (j, h) has mu_j >= mu_h
    means = r.groups["mean"]
    assert list(means) == sorted(means, reverse=True)
    for j, h in r.pairs.index:
        assert means[j] >= means[h]
    assert len(r.pairs) == 6
    assert ((r.affluence >= 0) & (r.affluence <= 1)).all()
    # each within Gini equals the plain Gini of the group
    for lab, gj in r.within_gini.items():
        assert gj == pytest.approx(didbook.gini(y[g == lab]), abs=1e-12)
    # pair Gini against the O(n^2) definition
    j, h = r.pairs.index[0]
    xj, xh = y[g == j], y[g == h]
    ref = np.abs(xj[:, None] - xh[None, :]).sum() / (xj.size * xh.size * (xj.mean() + xh.mean()))
    assert r.between_gini[(j, h)] == pytest.approx(ref, abs=1e-12)


def test_dagum_validation_and_by():
    with pytest.raises(ValueError, match="at least two groups"):
        didbook.dagum_gini([1, 2, 3], ["a", "a", "a"])
    with pytest.raises(ValueError, match="length"):
        didbook.dagum_gini([1, 2, 3], ["a", "b"])
    with pytest.raises(ValueError, match="negative"):
        didbook.dagum_gini([1, -2, 3], ["a", "b", "b"])
    df = pd.DataFrame({"year": [1] * 4 + [2] * 4, "y": [1, 4, 2, 6, 1, 1, 2, 2], "region": ["a", "a", "b", "b"] * 2})
    out = dagum_by(df, "y", "region")
    assert out["total"].tolist() == pytest.approx([34 / 104, 1 / 6])
    assert (out[["within", "between_net", "transvariation"]].sum(axis=1) - out["total"]).abs().max() < 1e-15


# ----------------------------------------------------------------------------- urban-rural
def test_urban_rural_theil_hand_example():
    # per-capita 30 vs 10, equal populations: income shares 3/4, 1/4; population shares 1/2
    t = didbook.urban_rural_theil(30.0, 10.0, 1.0, 1.0)
    assert t == pytest.approx(0.75 * np.log(1.5) + 0.25 * np.log(0.5), abs=1e-15)
    # it is the between-group Theil T of the population-weighted two-group distribution
    r = didbook.theil([30.0, 10.0], groups=["u", "r"], weights=[1.0, 1.0])
    assert t == pytest.approx(r.between, abs=1e-15)
    # equal per-capita incomes -> 0; totals given directly
    assert didbook.urban_rural_theil(5.0, 5.0, 2.0, 7.0) == pytest.approx(0.0, abs=1e-15)
    assert didbook.urban_rural_theil(30.0, 10.0, 1.0, 1.0, per_capita=False) == pytest.approx(t)


def test_urban_rural_vectorized_and_validated():
    ui = pd.Series([30.0, 20.0], index=[10, 11])
    out = didbook.urban_rural_theil(ui, [10.0, 10.0], [1.0, 3.0], [1.0, 1.0])
    assert isinstance(out, pd.Series) and list(out.index) == [10, 11]
    # row 2: totals 60 and 10 -> shares 6/7, 1/7; populations 3/4, 1/4
    assert out[11] == pytest.approx((6 / 7) * np.log((6 / 7) / 0.75) + (1 / 7) * np.log((1 / 7) / 0.25))
    assert didbook.income_ratio(ui, [10.0, 8.0]).tolist() == [3.0, 2.5]
    with pytest.raises(ValueError, match="rural_population"):
        didbook.urban_rural_theil(30.0, 10.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="rural_income"):
        didbook.income_ratio([30.0], [0.0])
    with pytest.raises(ValueError, match="missing"):
        didbook.income_ratio([np.nan], [1.0])
