"""Few treated clusters: CR2/CR3 (cr2_test), studentized randomization inference, Conley-Taber.

Each is checked against a published value or an independent computation written out here:

* CR2 kernel = Stata's HC2 standard errors (singleton clusters), as published in the tests of the
  R package ``dfadjust`` (Imbens and Kolesar's implementation);
* CR2 standard error and the Bell-McCaffrey / Imbens-Kolesar df of the TWFE coefficient = a direct
  dense computation with the full dummy design: ``(I - H_gg)^{+1/2}`` per cluster, the ``N x G``
  matrix ``G`` and the eigenvalues of ``G'G`` and ``G' Omega G`` (Moulton ``Omega`` written out);
* CR3 = a leave-one-cluster-out jackknife by least squares, ``(G-1)/G sum (b_-g - b)^2``;
* studentized RI = a hand loop of :func:`didbook.twfe` fits over every assignment (exact p);
  and its size by Monte Carlo (slow);
* Conley-Taber = the procedure written out with dummy regressions and loops over control groups;
  its Ferman-Pinto correction = the variance fit ``Z^2 ~ 1 + 1/M`` and the rescaling written out on a
  tiny panel, the constrained fit against ``scipy.optimize.nnls``, and its size by Monte Carlo with
  unequal group sizes (plain Conley-Taber over- or under-rejects, Ferman-Pinto does not, or far less);
* the batched Monte Carlo path (``cr2_pvalues``, ``randomization_t_pvalues``,
  ``conley_taber_pvalues``) = the per-draw functions, draw by draw.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import didbook
from didbook import few_clusters as fc
from didbook._cr2 import cr2_contrast


def _panel(n_clusters=6, units_per=2, periods=5, treated=(0, 1), start=3, seed=0, controls=False):
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_clusters):
        for k in range(units_per + (g % 2)):  # unequal cluster sizes
            for t in range(1, periods + 1):
                rows.append((f"c{g}", f"c{g}u{k}", t))
    df = pd.DataFrame(rows, columns=["prov", "city", "year"])
    df["d"] = (df["prov"].isin([f"c{g}" for g in treated]) & (df["year"] >= start)).astype(int)
    shock = dict(zip(df["prov"].unique(), rng.normal(size=n_clusters)))
    df["x"] = rng.normal(size=len(df))
    df["y"] = 0.3 * df["d"] + df["prov"].map(shock) * df["year"] / periods + rng.normal(size=len(df))
    if controls:
        df["y"] += 0.5 * df["x"]
    return df


# ------------------------------------------------------------------------------------------- CR2


def test_cr2_kernel_reproduces_statas_hc2_published_in_dfadjust():
    # dfadjust tests/testthat/test_clustervar.R: Stata `reg y x, vce(hc2)` = 0.4227339762, 0.4421048122
    y = np.r_[np.cos(np.arange(0, 10)), np.tan(np.arange(1, 11))]
    x = np.r_[np.sin(np.arange(1, 11)), np.sin(np.arange(2, 12))]
    X = np.column_stack([np.ones(20), x])
    Q, R = np.linalg.qr(X)
    u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    blocks = [(Q[[i]], np.arange(2)) for i in range(20)]
    ses = [
        np.sqrt(cr2_contrast(blocks, [u[[i]] for i in range(20)], np.linalg.solve(R.T, e)).variance) for e in np.eye(2)
    ]
    assert ses == pytest.approx([0.4227339762, 0.4421048122], abs=5e-11)


def _dense_design(df, controls):
    units = sorted(df["city"].unique())
    periods = sorted(df["year"].unique())
    cols = [df["d"].to_numpy(float)] + [df[c].to_numpy(float) for c in controls]
    cols += [(df["city"] == u).to_numpy(float) for u in units]
    cols += [(df["year"] == t).to_numpy(float) for t in periods[1:]]
    return np.column_stack(cols)


def _direct_cr2(df, cluster, controls=(), tol=1e-9):
    """CR2 SE and BM / IK df of the treatment coefficient from the full dummy design, dense."""
    X, y = _dense_design(df, controls), df["y"].to_numpy(float)
    n = len(y)
    XtXi = np.linalg.inv(X.T @ X)
    b = XtXi @ X.T @ y
    u = y - X @ b
    H = X @ XtXi @ X.T
    IH = np.eye(n) - H
    ell = np.zeros(X.shape[1])
    ell[0] = 1.0
    c = X @ XtXi @ ell  # l'(X'X)^{-1} X_i'
    labels = df[cluster].to_numpy()
    groups = [np.flatnonzero(labels == g) for g in pd.unique(labels)]
    V, Gm = 0.0, np.zeros((n, len(groups)))
    for s, idx in enumerate(groups):
        lam, vec = np.linalg.eigh(IH[np.ix_(idx, idx)])
        inv_sqrt = vec @ np.diag(np.where(lam >= tol, 1 / np.sqrt(np.maximum(lam, tol)), 0.0)) @ vec.T
        a = inv_sqrt @ c[idx]
        V += float(u[idx] @ a) ** 2
        Gm[:, s] = IH[:, idx] @ a
    same = labels[:, None] == labels[None, :]
    ssr = u @ u
    ns = np.array([len(i) for i in groups])
    rho = (sum(u[i].sum() ** 2 for i in groups) - ssr) / (np.sum(ns**2) - n)
    sig2 = ssr / n - rho
    Omega = sig2 * np.eye(n) + rho * same

    def dof(M):
        lam = np.linalg.eigvalsh(M)
        return lam.sum() ** 2 / np.sum(lam**2)

    return b[0], np.sqrt(V), dof(Gm.T @ Gm), dof(Gm.T @ Omega @ Gm)


@pytest.mark.parametrize(
    "cluster, controls, treated",
    [("prov", (), (0, 1)), ("prov", ("x",), (0,)), ("city", ("x",), (0, 1, 2))],
    ids=["province", "province-control-one-treated", "city"],
)
def test_cr2_and_its_df_equal_a_direct_dense_computation(cluster, controls, treated):
    df = _panel(treated=treated, controls=bool(controls))
    b, se, df_bm, df_ik = _direct_cr2(df, cluster, controls)
    ik = didbook.cr2_test(df, "y", "d", "city", "year", cluster=cluster, controls=controls)
    bm = didbook.cr2_test(df, "y", "d", "city", "year", cluster=cluster, controls=controls, df="BM")
    assert ik.estimate == pytest.approx(b, rel=1e-9)
    assert ik.std_error == pytest.approx(se, rel=1e-8) and bm.std_error == ik.std_error
    assert ik.df == pytest.approx(df_ik, rel=1e-7)
    assert bm.df == pytest.approx(df_bm, rel=1e-7)
    crit = stats.t.ppf(0.975, df_ik)
    assert (ik.conf_low, ik.conf_high) == pytest.approx((b - crit * se, b + crit * se), rel=1e-7)
    assert ik.p_value == pytest.approx(2 * stats.t.sf(abs(b / se), df_ik), rel=1e-7)
    assert ik.tidy()["std_error_crv1"].iloc[0] == pytest.approx(ik.model.std_error)


def test_cr3_equals_a_leave_one_cluster_out_jackknife():
    df = _panel(n_clusters=7, treated=(0, 1, 2), controls=True)
    res = didbook.cr2_test(df, "y", "d", "city", "year", cluster="prov", controls=["x"], vcov="CR3")

    def coef(sub):
        X = _dense_design(sub, ["x"])
        keep = np.abs(X).sum(axis=0) > 0  # drop the dummies of the left-out units
        return np.linalg.lstsq(X[:, keep], sub["y"].to_numpy(float), rcond=None)[0][0]

    b = coef(df)
    jack = np.array([coef(df[df["prov"] != g].reset_index(drop=True)) for g in df["prov"].unique()])
    G = len(jack)
    assert res.estimate == pytest.approx(b, rel=1e-9)
    assert res.std_error == pytest.approx(np.sqrt((G - 1) / G * np.sum((jack - b) ** 2)), rel=1e-7)
    assert res.df == G - 1
    with pytest.raises(didbook.PanelDataError, match="at least 2 treated clusters"):
        didbook.cr2_test(_panel(treated=(0,)), "y", "d", "city", "year", cluster="prov", vcov="CR3")


# ---------------------------------------------------------------------- studentized randomization


def test_randomization_t_is_exact_by_enumeration_and_equals_a_hand_loop():
    df = _panel(n_clusters=6, treated=(0, 1), seed=4)
    res = didbook.randomization_t_test(df, "y", "d", "city", "year", cluster="prov", n_draws=1000)
    assert res.full_enumeration and res.info["n_assignments"] == 15 == len(res.null_distribution)
    provs = df["prov"].unique()
    fit = didbook.twfe(df, "y", "d", "city", "year", cluster="prov")
    t_obs = fit.estimate / fit.std_error
    ts, bs = [], []
    for chosen in itertools.combinations(provs, 2):
        alt = df.assign(d=(df["prov"].isin(chosen) & (df["year"] >= 3)).astype(int))
        f = didbook.twfe(alt, "y", "d", "city", "year", cluster="prov")
        ts.append(f.estimate / f.std_error)
        bs.append(f.estimate)
    ts, bs = np.array(ts), np.array(bs)
    assert np.sort(res.null_distribution) == pytest.approx(np.sort(ts), rel=1e-8)
    assert np.sort(res.null_coefficients) == pytest.approx(np.sort(bs), rel=1e-8)
    assert res.t_stat == pytest.approx(t_obs)
    p_hand = np.mean(np.abs(ts) >= abs(t_obs) * (1 - 1e-10))
    assert res.p_value == p_hand
    assert res.tidy()["p_value_coefficient"].iloc[0] == np.mean(np.abs(bs) >= abs(fit.estimate) * (1 - 1e-10))
    assert np.isnan(res.std_error) and res.p_value >= 1 / 15


def test_randomization_t_samples_when_assignments_are_many():
    df = _panel(n_clusters=10, treated=(0, 1, 2), seed=2)  # C(10, 3) = 120 assignments
    res = didbook.randomization_t_test(df, "y", "d", "city", "year", cluster="prov", n_draws=50, seed=3)
    assert not res.full_enumeration and len(res.null_distribution) == 50
    k = np.sum(np.abs(res.null_distribution) >= abs(res.t_stat) * (1 - 1e-10))
    assert res.p_value == pytest.approx((1 + k) / 51)


@pytest.mark.slow
def test_randomization_t_has_its_size_by_monte_carlo():
    """12 clusters, 2 treated: RI-t rejects at 5% with probability floor(0.05 * 66) / 66 exactly; CRV1 over-rejects."""
    base = _panel(n_clusters=12, units_per=2, periods=6, treated=(0, 1), start=4)
    rng = np.random.default_rng(11)
    reps, rej_ri, rej_crv1 = 300, 0, 0
    provs = base["prov"].to_numpy()
    codes = pd.factorize(provs)[0]
    for _ in range(reps):
        shock = rng.normal(size=(12, 6))  # cluster-by-year shocks: within-cluster correlation
        df = base.assign(y=shock[codes, base["year"].to_numpy() - 1] + rng.normal(size=len(base)))
        res = didbook.randomization_t_test(df, "y", "d", "city", "year", cluster="prov", n_draws=1000)
        rej_ri += res.p_value <= 0.05
        rej_crv1 += res.model.p_value <= 0.05
    exact = 3 / 66
    assert abs(rej_ri / reps - exact) < 3 * np.sqrt(exact * (1 - exact) / reps)
    assert rej_crv1 / reps > 0.08  # the usual cluster-robust t-test with 2 treated clusters over-rejects


# ---------------------------------------------------------------------------------- Conley-Taber


def _hand_conley_taber(gp, alpha=0.05):
    """Conley-Taber written out: dummy regression, control residuals, all control tuples, order statistics."""
    groups, periods = sorted(gp["g"].unique()), sorted(gp["year"].unique())
    X = np.column_stack(
        [gp["d"].to_numpy(float)]
        + [(gp["g"] == g).to_numpy(float) for g in groups]
        + [(gp["year"] == t).to_numpy(float) for t in periods[1:]]
    )
    y = gp["y"].to_numpy(float)
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    res = pd.Series(y - X @ b, index=pd.MultiIndex.from_frame(gp[["g", "year"]])).unstack()
    dmat = gp.pivot(index="g", columns="year", values="d")
    treated = [g for g in groups if dmat.loc[g].max() > 0]
    controls = [g for g in groups if g not in treated]
    w = {g: dmat.loc[g].to_numpy() - dmat.loc[g].mean() for g in treated}
    den = sum(np.sum(v**2) for v in w.values())
    W = []
    for combo in itertools.product(controls, repeat=len(treated)):
        W.append(sum(w[l] @ res.loc[j].to_numpy() for l, j in zip(treated, combo)) / den)
    W = np.sort(W)
    n = len(W)
    k = int(np.floor(n * alpha / 2)) + 1
    p = min(1.0, 2 * min(np.mean(W <= b[0]), np.mean(W >= b[0])))
    return b[0], b[0] - W[n - k], b[0] - W[k - 1], p, n


@pytest.mark.parametrize("treated", [(0,), (0, 1)], ids=["one-treated", "two-treated"])
def test_conley_taber_equals_the_procedure_written_out(treated):
    df = _panel(n_clusters=12, units_per=1, periods=6, treated=treated, seed=5)
    gp = df.groupby(["prov", "year"], as_index=False)[["y", "d"]].mean().rename(columns={"prov": "g"})
    est, lo, hi, p, n = _hand_conley_taber(gp)
    res = didbook.conley_taber(df, "y", "d", "city", "year", cluster="prov")  # aggregates cities to provinces
    assert res.info["n_draws"] == n == (12 - len(treated)) ** len(treated) and res.full_enumeration
    assert res.estimate == pytest.approx(est, rel=1e-9)
    assert (res.conf_low, res.conf_high) == pytest.approx((lo, hi), rel=1e-9)
    assert res.p_value == pytest.approx(p)
    assert np.isnan(res.std_error)
    # same on the province panel itself (group = unit)
    direct = didbook.conley_taber(gp, "y", "d", "g", "year")
    assert (direct.conf_low, direct.conf_high) == pytest.approx((lo, hi), rel=1e-9)


def test_conley_taber_samples_combinations_beyond_n_draws():
    df = _panel(n_clusters=12, units_per=1, periods=6, treated=(0, 1, 2), seed=5)
    res = didbook.conley_taber(df, "y", "d", "city", "year", cluster="prov", n_draws=500, seed=1)
    assert not res.full_enumeration and len(res.null_distribution) == 500
    W = np.sort(res.null_distribution)
    assert res.conf_low == pytest.approx(res.estimate - W[500 - 13]) and res.conf_high == pytest.approx(
        res.estimate - W[12]
    )


# ------------------------------------------------------------------------------- Ferman-Pinto


def _sized_panel(sizes, periods=4, start=3, treated=(0,), seed=0, group_shock=0.3):
    """Individuals observed every period in groups of the given sizes; group-period shocks + iid noise."""
    rng = np.random.default_rng(seed)
    rows = [
        (f"g{g:03d}", f"g{g:03d}i{k}", t) for g, m in enumerate(sizes) for k in range(m) for t in range(1, periods + 1)
    ]
    df = pd.DataFrame(rows, columns=["grp", "ind", "t"])
    df["d"] = (df["grp"].isin([f"g{g:03d}" for g in treated]) & (df["t"] >= start)).astype(int)
    shock = rng.normal(scale=group_shock, size=(len(sizes), periods))
    df["y"] = shock[pd.factorize(df["grp"], sort=True)[0], df["t"] - 1] + rng.normal(size=len(df))
    return df


def _hand_ferman_pinto(df, alpha=0.05):
    """Ferman-Pinto written out: group means, dummy regression, Z_lj = w_l'e_j, OLS of Z^2 on (1, 1/M), rescale."""
    gp = df.groupby(["grp", "t"], as_index=False)[["y", "d"]].mean()
    size = df.groupby("grp")["ind"].nunique()
    groups, periods = sorted(gp["grp"].unique()), sorted(gp["t"].unique())
    X = np.column_stack(
        [gp["d"].to_numpy(float)]
        + [(gp["grp"] == g).to_numpy(float) for g in groups]
        + [(gp["t"] == t).to_numpy(float) for t in periods[1:]]
    )
    b = np.linalg.lstsq(X, gp["y"].to_numpy(float), rcond=None)[0]
    res = pd.Series(gp["y"].to_numpy(float) - X @ b, index=pd.MultiIndex.from_frame(gp[["grp", "t"]])).unstack()
    dmat = gp.pivot(index="grp", columns="t", values="d")
    treated = [g for g in groups if dmat.loc[g].max() > 0]
    controls = [g for g in groups if g not in treated]
    x = np.array([1 / size[j] for j in controls])
    rows, Zs = [], {}
    for l in treated:
        w = dmat.loc[l].to_numpy() - dmat.loc[l].mean()
        z = np.array([w @ res.loc[j].to_numpy() for j in controls])
        A, B = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), z**2, rcond=None)[0]
        assert A > 0 and B > 0  # the unconstrained least-squares branch
        Zs[l] = z * np.sqrt((A + B / size[l]) / (A + B * x))
        rows.append((l, A, B, np.sum(w**2)))
    den = sum(r[3] for r in rows)
    W = np.sort([sum(Zs[l][j] for l, j in zip(treated, combo)) / den
                 for combo in itertools.product(range(len(controls)), repeat=len(treated))])  # fmt: skip
    n = len(W)
    k = int(np.floor(n * alpha / 2)) + 1
    p = min(1.0, 2 * min(np.mean(W <= b[0]), np.mean(W >= b[0])))
    return b[0], W, b[0] - W[n - k], b[0] - W[k - 1], p, rows


@pytest.mark.parametrize("treated", [(0,), (0, 3)], ids=["one-treated", "two-treated"])
def test_ferman_pinto_equals_the_variance_fit_and_rescaling_written_out(treated):
    df = _sized_panel([1, 2, 5, 3, 1, 4, 2, 6, 3, 1], treated=treated, seed=4)
    est, W, lo, hi, p, rows = _hand_ferman_pinto(df)
    res = didbook.conley_taber(df, "y", "d", "ind", "t", cluster="grp", heteroskedasticity="ferman_pinto")
    assert res.estimate == pytest.approx(est, rel=1e-9)
    assert np.sort(res.null_distribution) == pytest.approx(W, rel=1e-9)
    assert (res.conf_low, res.conf_high, res.p_value) == pytest.approx((lo, hi, p), rel=1e-9)
    vm = res.variance_model
    assert vm["group"].tolist() == [r[0] for r in rows]
    assert vm["A"].to_numpy() == pytest.approx([r[1] for r in rows], rel=1e-8)
    assert vm["B"].to_numpy() == pytest.approx([r[2] for r in rows], rel=1e-8)
    assert vm["M"].tolist() == [float(df.loc[df["grp"] == r[0], "ind"].nunique()) for r in rows]
    # the same sizes given as a column
    sized = df.assign(n=df.groupby("grp")["ind"].transform("nunique"))
    by_col = didbook.conley_taber(sized, "y", "d", "ind", "t", cluster="grp", heteroskedasticity="ferman_pinto",
                                  group_size="n")  # fmt: skip
    assert by_col.p_value == res.p_value and "column 'n'" in by_col.notes[1]
    # plain Conley-Taber differs (no rescaling) and says so in its note
    plain = didbook.conley_taber(df, "y", "d", "ind", "t", cluster="grp")
    assert plain.variance_model is None and "ferman_pinto" in plain.notes[1]
    assert not np.allclose(np.sort(plain.null_distribution), W)


def test_ferman_pinto_on_equal_sizes_is_plain_conley_taber():
    df = _sized_panel([3] * 8, seed=2)
    fp = didbook.conley_taber(df, "y", "d", "ind", "t", cluster="grp", heteroskedasticity="ferman_pinto")
    plain = didbook.conley_taber(df, "y", "d", "ind", "t", cluster="grp")
    assert np.array_equal(fp.null_distribution, plain.null_distribution) and fp.p_value == plain.p_value


def test_nonnegative_variance_fit_is_two_parameter_nnls():
    rng = np.random.default_rng(3)
    x = 1 / rng.integers(1, 20, size=25)
    for shift in (-3.0, -0.5, 0.0, 0.5, 3.0):  # negative A, negative B and interior solutions
        z2 = np.maximum(rng.chisquare(1, size=(4, 25)) * (0.4 + shift * x), 0)
        A, B = fc._nonnegative_variance_fit(x, z2)
        for r in range(4):
            ref = optimize.nnls(np.column_stack([np.ones_like(x), x]), z2[r])[0]
            assert (A[r], B[r]) == pytest.approx(tuple(ref), abs=1e-10)


@pytest.mark.parametrize(
    "treated_size, plain_off",
    [(1, "over"), (16, "under")],
    ids=["small-treated-group", "large-treated-group"],
)
def test_ferman_pinto_has_its_size_by_monte_carlo_where_conley_taber_does_not(treated_size, plain_off):
    """One treated group among 100 controls of sizes 1..16; group-period shocks + individual noise.

    Under exchangeable errors a test of p <= 0.05 from n0 = 100 residuals rejects with probability
    2 * 3 / 101 (= 5.9%). Plain Conley-Taber over-rejects when the treated group is small (its mean is
    noisier than the controls') and under-rejects when it is large; Ferman-Pinto's rescaling brings both
    close to the level (its fitted A and B add some noise: a margin of 3 points).
    """
    sizes = [treated_size] + [1, 2, 4, 8, 16] * 20
    df = _sized_panel(sizes, seed=0)
    rng = np.random.default_rng(5)
    R = 800
    g = pd.factorize(df["grp"], sort=True)[0]
    Y = rng.normal(scale=0.3, size=(len(sizes), 4, R))[g, df["t"].to_numpy() - 1] + rng.normal(size=(len(df), R))
    plain = np.mean(fc.conley_taber_pvalues(df, Y, "d", "ind", "t", "grp") <= 0.05)
    fp = np.mean(fc.conley_taber_pvalues(df, Y, "d", "ind", "t", "grp", heteroskedasticity="ferman_pinto") <= 0.05)
    level, se = 6 / 101, np.sqrt(0.06 * 0.94 / R)
    assert abs(fp - level) < 0.03
    if plain_off == "over":
        assert plain > level + 6 * se and plain - level > 2 * abs(fp - level)
    else:
        assert plain < level - 3 * se and level - plain > 2 * abs(fp - level)


# ----------------------------------------------------------------------------- batched Monte Carlo


@pytest.mark.parametrize("treated", [(0,), (0, 1, 2)], ids=["one-treated", "three-treated"])
def test_batched_pvalues_equal_the_per_draw_functions(treated):
    df = _panel(n_clusters=8, units_per=2, periods=5, treated=treated, seed=1, controls=True)
    rng = np.random.default_rng(0)
    Y = df["y"].to_numpy()[:, None] + rng.normal(size=(len(df), 4)) * np.r_[0.5, 1, 2, 3]
    kw = dict(controls=["x"])
    batched = {
        "cr2": fc.cr2_pvalues(df, Y, "d", "city", "year", "prov", **kw),
        "bm": fc.cr2_pvalues(df, Y, "d", "city", "year", "prov", df="BM", **kw),
        "ri": fc.randomization_t_pvalues(df, Y, "d", "city", "year", "prov", n_draws=30, seed=2, **kw),
        "ct": fc.conley_taber_pvalues(df, Y, "d", "city", "year", "prov", n_draws=200, seed=4, **kw),
        "fp": fc.conley_taber_pvalues(
            df, Y, "d", "city", "year", "prov", n_draws=200, seed=4, heteroskedasticity="ferman_pinto", **kw
        ),  # fmt: skip
    }
    for r in range(Y.shape[1]):
        d = df.assign(y=Y[:, r])
        args = (d, "y", "d", "city", "year")
        assert batched["cr2"][r] == pytest.approx(didbook.cr2_test(*args, cluster="prov", **kw).p_value, rel=1e-9)
        assert batched["bm"][r] == pytest.approx(
            didbook.cr2_test(*args, cluster="prov", df="BM", **kw).p_value, rel=1e-9
        )
        ri = didbook.randomization_t_test(*args, cluster="prov", n_draws=30, seed=2, **kw)
        assert batched["ri"][r] == ri.p_value
        ct = didbook.conley_taber(*args, cluster="prov", n_draws=200, seed=4, **kw)
        fp = didbook.conley_taber(*args, cluster="prov", n_draws=200, seed=4, heteroskedasticity="ferman_pinto", **kw)
        assert (batched["ct"][r], batched["fp"][r]) == (ct.p_value, fp.p_value)


# ------------------------------------------------------------------------------ errors and vocabulary


def test_clear_errors_name_the_parameter_or_column():
    df = _panel(n_clusters=3, treated=(0, 1))
    with pytest.raises(didbook.PanelDataError, match=r"at least 2 never-treated control groups of 'prov'.*found 1"):
        didbook.conley_taber(df, "y", "d", "city", "year", cluster="prov")
    with pytest.raises(ValueError, match="vcov must be 'CR2' or 'CR3'"):
        didbook.cr2_test(df, "y", "d", "city", "year", vcov="CR1")
    with pytest.raises(ValueError, match="df must be 'IK'"):
        didbook.cr2_test(df, "y", "d", "city", "year", df="Satterthwaite")
    mixed = df.assign(d=((df["city"] == "c0u0") & (df["year"] >= 3)).astype(int))
    with pytest.raises(didbook.PanelDataError, match="differs within cluster prov=c0"):
        didbook.randomization_t_test(mixed, "y", "d", "city", "year", cluster="prov")
    with pytest.raises(didbook.PanelDataError, match="differs within prov=c0"):
        didbook.conley_taber(_panel(n_clusters=6).pipe(lambda d: d.assign(d=mixed["d"].reindex(d.index, fill_value=0))),
                             "y", "d", "city", "year", cluster="prov")  # fmt: skip
    with pytest.raises(didbook.PanelDataError, match="missing column"):
        didbook.cr2_test(df, "y", "d", "city", "year", cluster="province")


def test_ferman_pinto_errors_name_the_parameter():
    df = _sized_panel([1, 2, 5, 3, 1, 4], seed=1)
    ct = dict(data=df, outcome="y", treatment="d", unit="ind", time="t", cluster="grp")
    with pytest.raises(ValueError, match="heteroskedasticity must be None or 'ferman_pinto', got 'FP'"):
        didbook.conley_taber(**ct, heteroskedasticity="FP")
    with pytest.raises(ValueError, match="group_size is used only with heteroskedasticity='ferman_pinto'"):
        didbook.conley_taber(**ct, group_size="n")
    fp = dict(ct, heteroskedasticity="ferman_pinto")
    with pytest.raises(didbook.PanelDataError, match="missing column"):
        didbook.conley_taber(**fp, group_size="n")
    with pytest.raises(didbook.PanelDataError, match="group_size column 'n' varies within grp=g000"):
        didbook.conley_taber(**dict(fp, data=df.assign(n=np.arange(len(df)))), group_size="n")
    with pytest.raises(didbook.PanelDataError, match="group_size column 'n' must be a positive number"):
        didbook.conley_taber(**dict(fp, data=df.assign(n=0)), group_size="n")
    gp = df.groupby(["grp", "t"], as_index=False)[["y", "d"]].mean()
    with pytest.raises(didbook.PanelDataError, match="needs group_size="):
        didbook.conley_taber(gp, "y", "d", "grp", "t", heteroskedasticity="ferman_pinto")
    same = df[~df["grp"].isin(["g000"])].pipe(lambda d: d[d["ind"].str.endswith("i0")])  # all controls of size 1
    same = pd.concat([df[df["grp"] == "g000"], same])  # treated group of size 1 too: no error, no rescaling
    didbook.conley_taber(same, "y", "d", "ind", "t", cluster="grp", heteroskedasticity="ferman_pinto")
    big = pd.concat([_sized_panel([2], seed=1), same[same["grp"] != "g000"]])
    with pytest.raises(didbook.PanelDataError, match="all 5 control groups of 'grp' have the same size"):
        didbook.conley_taber(big, "y", "d", "ind", "t", cluster="grp", heteroskedasticity="ferman_pinto")
    with pytest.raises(didbook.PanelDataError, match="at least 3 of them, found 2"):
        didbook.conley_taber(df[df["grp"].isin(["g000", "g001", "g002"])], "y", "d", "ind", "t", cluster="grp",
                             heteroskedasticity="ferman_pinto")  # fmt: skip
    with pytest.raises(ValueError, match="Y must have shape \\(n_rows="):
        fc.conley_taber_pvalues(df, np.zeros((3, 2)), "d", "ind", "t", "grp")


def test_results_speak_the_vocabulary():
    df = _panel(n_clusters=8, treated=(0, 1))
    for res in (
        didbook.cr2_test(df, "y", "d", "city", "year", cluster="prov"),
        didbook.randomization_t_test(df, "y", "d", "city", "year", cluster="prov"),
        didbook.conley_taber(df, "y", "d", "city", "year", cluster="prov"),
    ):
        assert list(res.tidy().columns[:6]) == ["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]
        assert isinstance(res.summary(), str) and all(k.isidentifier() for k in res.info)
        assert res.notes and 0 < res.p_value <= 1
