"""Composite indices: normalization, entropy/PCA/equal weights, sub-indices, equalization ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import didbook


@pytest.fixture
def small():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0], "c": [5.0, 3.0, 1.0]})


# ----------------------------------------------------------------------------- normalization
def test_minmax_with_direction(small):
    z = didbook.normalize(small, negative=["c"])
    assert z["a"].tolist() == [0.0, 0.5, 1.0]
    assert z["b"].tolist() == [0.0, 0.0, 1.0]
    # negative indicator: (max - x) / (max - min) = (5 - x) / 4
    assert z["c"].tolist() == [0.0, 0.5, 1.0]
    assert (didbook.normalize(small, shift=1e-4)["a"] - 1e-4).tolist() == pytest.approx([0.0, 0.5, 1.0])


def test_zscore_matches_scipy(small):
    z = didbook.normalize(small, method="zscore", negative=["c"])
    np.testing.assert_allclose(z["a"], stats.zscore(small["a"]))
    np.testing.assert_allclose(z["c"], -stats.zscore(small["c"]))


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"a": [1.0, np.nan, 3.0]}, "'a' has 1 missing"),
        ({"a": [1.0, -2.0, 3.0]}, "'a' has 1 negative"),
        ({"a": [2.0, 2.0, 2.0]}, "'a' is constant"),
        ({"a": ["x", "y", "z"]}, "'a' is not numeric"),
    ],
)
def test_indicator_validation(bad, match):
    df = pd.DataFrame({**{"b": [1.0, 2.0, 4.0]}, **bad})
    with pytest.raises(ValueError, match=match):
        didbook.normalize(df)
    with pytest.raises(ValueError, match=match):
        didbook.entropy_weights(df)
    with pytest.raises(ValueError, match=match):
        didbook.composite_index(df, ["a", "b"])


def test_negative_must_name_an_indicator(small):
    with pytest.raises(ValueError, match="not among the indicators"):
        didbook.normalize(small, negative=["zzz"])


# ----------------------------------------------------------------------------- entropy weights
def test_entropy_weights_hand_example(small):
    # a -> z = (0, .5, 1), p = (0, 1/3, 2/3), e_a = (1/3 ln 3 + 2/3 ln 1.5) / ln 3
    # b -> z = (0, 0, 1),  p = (0, 0, 1),     e_b = 0
    e_a = (np.log(3) / 3 + 2 / 3 * np.log(1.5)) / np.log(3)
    d_a, d_b = 1 - e_a, 1.0
    w = didbook.entropy_weights(small[["a", "b"]], shift=0)
    assert isinstance(w, pd.Series)
    assert w["a"] == pytest.approx(d_a / (d_a + d_b), abs=1e-15)
    assert w["b"] == pytest.approx(d_b / (d_a + d_b), abs=1e-15)


def test_entropy_weights_shift_and_generic_properties():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"low": rng.normal(100, 1, 200), "high": rng.lognormal(0, 1.2, 200)})
    w = didbook.entropy_weights(df)
    assert w.sum() == pytest.approx(1.0)
    assert w["high"] > w["low"] > 0  # a skewed indicator carries more information
    # reference implementation with the usual shift: z + 1e-4
    z = (df - df.min()) / (df.max() - df.min()) + 1e-4
    p = z / z.sum()
    e = -(p * np.log(p)).sum() / np.log(len(df))
    np.testing.assert_allclose(w, (1 - e) / (1 - e).sum(), rtol=1e-12)
    # the shift matters only a little
    assert np.abs(didbook.entropy_weights(df, shift=0) - w).max() < 0.02


def test_entropy_weights_negative_indicator_direction():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    # reversing b gives z_b = (1, 1, 0): p = (1/2, 1/2, 0), e_b = ln 2 / ln 3
    w = didbook.entropy_weights(df, negative=["b"], shift=0)
    e_a = (np.log(3) / 3 + 2 / 3 * np.log(1.5)) / np.log(3)
    d_a, d_b = 1 - e_a, 1 - np.log(2) / np.log(3)
    assert w["b"] == pytest.approx(d_b / (d_a + d_b), abs=1e-15)


def test_entropy_weights_by_year():
    df = pd.DataFrame(
        {"year": [1, 1, 1, 2, 2, 2], "a": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0, 3.0, 1.0, 2.0]}
    )
    w = didbook.entropy_weights(df, by="year", shift=0)
    assert list(w.index) == [1, 2] and list(w.columns) == ["a", "b"]
    pd.testing.assert_series_equal(
        w.loc[1], didbook.entropy_weights(df.loc[df.year == 1, ["a", "b"]], shift=0), check_names=False
    )
    # year 2: both indicators are permutations of (1, 2, 3) -> equal weights
    assert w.loc[2].tolist() == pytest.approx([0.5, 0.5])
    bad = df.assign(b=[1.0, 1.0, 4.0, 2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="group 2: indicator 'b' is constant"):
        didbook.entropy_weights(bad, by="year")


# ----------------------------------------------------------------------------- PCA / equal
def test_pca_weights_hand_example():
    # b = 2a + 1 (perfectly correlated), c orthogonal to a: R has eigenvalues 2, 1, 0,
    # first eigenvector (1, 1, 0)/sqrt(2) -> weights (1/2, 1/2, 0); the Kaiser rule keeps 1 component.
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [3.0, 5.0, 7.0, 9.0], "c": [1.0, -1.0, -1.0, 1.0]})
    df["c"] += 1.0
    w = didbook.pca_weights(df)
    assert w.tolist() == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    # a negative indicator that moves opposite to a gets the same weight after reversal
    df["b"] = 20 - df["b"]
    assert didbook.pca_weights(df, negative=["b"]).tolist() == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    # two components: lambda = (2, 1) -> w ∝ (2/3)(1/√2, 1/√2, 0) + (1/3)(0, 0, 1)
    w2 = didbook.pca_weights(df, negative=["b"], n_components=2)
    raw = np.array([2 / 3 / np.sqrt(2), 2 / 3 / np.sqrt(2), 1 / 3])
    assert w2.tolist() == pytest.approx((raw / raw.sum()).tolist(), abs=1e-12)


def test_pca_weights_match_statsmodels():
    from statsmodels.multivariate.pca import PCA

    rng = np.random.default_rng(6)
    f = rng.normal(size=300)
    df = pd.DataFrame({f"x{j}": 10 + (j + 1) * 0.5 * f + rng.normal(size=300) for j in range(4)})
    w = didbook.pca_weights(df, n_components=1)
    p = PCA(df, ncomp=1, standardize=True, demean=True, normalize=False, method="eig")
    v = np.abs(np.asarray(p.eigenvecs)[:, 0])
    np.testing.assert_allclose(w.to_numpy(), v / v.sum(), rtol=1e-8)


def test_equal_weights():
    assert didbook.equal_weights(pd.DataFrame(columns=["a", "b"])).tolist() == [0.5, 0.5]


# ----------------------------------------------------------------------------- composite index
def test_composite_index_hand_example(small):
    dims = {"x": ["a", "b"], "y": ["c"]}
    idx = didbook.composite_index(small, dims, method="equal", negative=["c"], shift=0)
    # z_a = (0, .5, 1), z_b = (0, 0, 1), z_c (reversed) = (0, .5, 1)
    assert idx.scores["x"].tolist() == pytest.approx([0.0, 0.25, 1.0])
    assert idx.scores["y"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert idx.overall.tolist() == pytest.approx([0.0, 1 / 3, 1.0])
    assert idx.dimension_weights.tolist() == pytest.approx([2 / 3, 1 / 3])
    t = idx.tidy()
    assert t.columns.tolist() == ["dimension", "indicator", "weight"] and t["weight"].sum() == pytest.approx(1)


@pytest.mark.parametrize("method", ["entropy", "pca", "equal"])
def test_overall_is_weighted_sum_of_subindices(method):
    rng = np.random.default_rng(7)
    df = pd.DataFrame(rng.lognormal(size=(60, 5)), columns=list("abcde"))
    dims = {"d1": ["a", "b"], "d2": ["c", "d", "e"]}
    idx = didbook.composite_index(df, dims, method=method)
    W = idx.dimension_weights
    recomposed = W["d1"] * idx.scores["d1"] + W["d2"] * idx.scores["d2"]
    np.testing.assert_allclose(recomposed, idx.overall, rtol=1e-12)
    np.testing.assert_allclose(idx.overall, idx.normalized @ idx.weights, rtol=1e-12)
    if method == "entropy":
        pd.testing.assert_series_equal(idx.weights, didbook.entropy_weights(df))


def test_composite_index_by_year_weights():
    rng = np.random.default_rng(8)
    df = pd.DataFrame(rng.lognormal(size=(40, 3)), columns=list("abc"))
    df["year"] = np.repeat([2020, 2021], 20)
    idx = didbook.composite_index(df, {"all": ["a", "b", "c"]}, by="year")
    assert list(idx.weights.index) == [2020, 2021]
    w21 = didbook.entropy_weights(df.loc[df.year == 2021, ["a", "b", "c"]])
    np.testing.assert_allclose(idx.weights.loc[2021], w21)
    z = idx.normalized.loc[df.year == 2021]
    np.testing.assert_allclose(idx.overall[df.year == 2021], z @ w21.to_numpy())
    assert set(idx.tidy().columns) == {"year", "dimension", "indicator", "weight"}


def test_composite_index_argument_errors(small):
    with pytest.raises(ValueError, match="more than one dimension"):
        didbook.composite_index(small, {"x": ["a"], "y": ["a", "b"]})
    with pytest.raises(ValueError, match="method"):
        didbook.composite_index(small, ["a", "b"], method="magic")


# ----------------------------------------------------------------------------- equalization
def test_equalization_index_common_scale_hand_example():
    df = pd.DataFrame(
        {"beds_urban": [4.0, 6.0], "beds_rural": [2.0, 6.0], "docs_urban": [3.0, 5.0], "docs_rural": [1.0, 4.0]},
        index=["c1", "c2"],
    )
    eq = didbook.equalization_index(df, {"health": ["beds", "docs"]}, method="equal", shift=0)
    # pooled beds (4, 6, 2, 6): min 2, max 6 -> urban (.5, 1), rural (0, 1)
    # pooled docs (3, 5, 1, 4): min 1, max 5 -> urban (.5, 1), rural (0, .75)
    assert eq.scores["urban"].tolist() == pytest.approx([0.5, 1.0])
    assert eq.scores["rural"].tolist() == pytest.approx([0.0, 0.875])
    assert eq.equalization.tolist() == pytest.approx([0.0, 0.875])
    assert eq.scores["health_ratio"].tolist() == pytest.approx([0.0, 0.875])
    assert list(eq.scores.index) == ["c1", "c2"]
    # with the default shift every ratio is positive and finite
    eq2 = didbook.equalization_index(df, ["beds", "docs"], method="equal")
    assert eq2.equalization["c1"] == pytest.approx(1e-4 / (0.5 + 1e-4))


def test_equalization_index_identical_areas_give_one_and_validation():
    rng = np.random.default_rng(9)
    x = rng.lognormal(size=(30, 2))
    df = pd.DataFrame({"a_urban": x[:, 0], "a_rural": x[:, 0], "b_urban": x[:, 1], "b_rural": x[:, 1]})
    eq = didbook.equalization_index(df, ["a", "b"])
    np.testing.assert_allclose(eq.equalization, 1.0)
    with pytest.raises(ValueError, match="missing urban/rural"):
        didbook.equalization_index(df, ["a", "zz"])
    df.loc[3, "b_rural"] = -1.0
    with pytest.raises(ValueError, match=r"'b' \(urban \+ rural\) has 1 negative"):
        didbook.equalization_index(df, ["a", "b"])


# ----------------------------------------------------------------------------- transform
@pytest.mark.parametrize("by", [None, "year"])
def test_transform_reproduces_fitted_scores(by):
    rng = np.random.default_rng(10)
    x = rng.lognormal(size=(40, 4))
    df = pd.DataFrame(x, columns=["a_urban", "b_urban", "a_rural", "b_rural"])
    df["year"] = np.repeat([1, 2], 20)
    eq = didbook.equalization_index(df, {"d1": ["a"], "d2": ["b"]}, by=by)
    pd.testing.assert_frame_equal(eq.transform(df), eq.scores, rtol=1e-12)
    pd.testing.assert_frame_equal(eq.index.transform(_stack(df)), eq.index.scores, rtol=1e-12)


def _stack(df):
    u = df[["a_urban", "b_urban"]].set_axis(["a", "b"], axis=1)
    r = df[["a_rural", "b_rural"]].set_axis(["a", "b"], axis=1)
    return pd.concat([u, r], ignore_index=True).assign(year=np.tile(df["year"].to_numpy(), 2))


def test_transform_uses_fitted_constants_hand_example():
    df = pd.DataFrame({"a_urban": [2.0, 4.0], "a_rural": [1.0, 2.0]})
    eq = didbook.equalization_index(df, ["a"], shift=0)
    # fitted range [1, 4]: urban (1/3, 1), rural (0, 1/3); new rural (4, 4) -> 1 (and outside-range 7 -> 2)
    new = eq.transform(df.assign(a_rural=[4.0, 7.0]))
    assert new["rural"].tolist() == pytest.approx([1.0, 2.0])
    assert new["equalization"].tolist() == pytest.approx([3.0, 2.0])
    with pytest.raises(ValueError, match="no fitted weights"):
        didbook.equalization_index(df.assign(year=[1, 2]), ["a"], method="equal", by="year").transform(
            df.assign(year=[1, 3])
        )


@pytest.mark.parametrize("n", [3, 40, 1337, 3360])
def test_array_twin_is_bit_identical_to_equalization_index(n):
    """The simulator's NumPy path (didbook.simulate._equalization) equals the pandas path exactly, not just to
    rounding: the simulated data's bytes depend on it."""
    from didbook.indices import PUBLIC_SERVICE_DIMENSIONS
    from didbook.simulate._equalization import equalization_arrays, equalization_transform

    stems = [k for ks in PUBLIC_SERVICE_DIMENSIONS.values() for k in ks]
    rng = np.random.default_rng(n)
    urban = rng.lognormal(size=(n, len(stems))) * rng.uniform(1.0, 500.0, len(stems))
    rural = urban * rng.lognormal(-0.5, 0.3, size=urban.shape)
    frame = pd.DataFrame(
        np.hstack([urban, rural]), columns=[f"{k}_urban" for k in stems] + [f"{k}_rural" for k in stems]
    )
    eq = didbook.equalization_index(frame, PUBLIC_SERVICE_DIMENSIONS)
    fit = equalization_arrays(urban, rural)
    np.testing.assert_array_equal(fit["scale"], eq.scaling.loc[stems, "scale"].to_numpy())
    np.testing.assert_array_equal(fit["weights"], eq.weights[stems].to_numpy())
    np.testing.assert_array_equal(fit["urban"], eq.scores["urban"].to_numpy())
    np.testing.assert_array_equal(fit["equalization"], eq.equalization.to_numpy())
    other = rural * rng.uniform(0.9, 1.1, size=(n, 1))
    world = frame.copy()
    world[[f"{k}_rural" for k in stems]] = other
    np.testing.assert_array_equal(
        equalization_transform(urban, other, fit), eq.transform(world)["equalization"].to_numpy()
    )
